{{- define "chainwatch.name" -}}chainwatch{{- end -}}
{{- define "chainwatch.fullname" -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- define "chainwatch.labels" -}}
app.kubernetes.io/name: chainwatch
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "chainwatch.watcherSelector" -}}
app.kubernetes.io/name: chainwatch
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: watcher
{{- end -}}
{{- define "chainwatch.probeSelector" -}}
app.kubernetes.io/name: chainwatch
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: probe
{{- end -}}
{{- define "chainwatch.leaderElection" -}}{{ gt (int .Values.replicas) 1 }}{{- end -}}

{{/* "true" when some findings can act: the global mode is enforce or approve, or a detector is set to either */}}
{{- define "chainwatch.enforces" -}}
{{- if or (eq .Values.remediationMode "enforce") (eq .Values.remediationMode "approve") (has "enforce" (values .Values.remediationDetectorModes)) (has "approve" (values .Values.remediationDetectorModes)) -}}
true
{{- end -}}
{{- end }}

{{/* "true" when some findings wait for a click */}}
{{- define "chainwatch.approves" -}}
{{- if or (eq .Values.remediationMode "approve") (has "approve" (values .Values.remediationDetectorModes)) -}}
true
{{- end -}}
{{- end }}

{{/* remediation.detectorModes: detector=mode pairs, sorted by detector */}}
{{- define "chainwatch.detectorModes" -}}
{{- $modes := list -}}
{{- range $id, $mode := .Values.remediationDetectorModes -}}
{{- $modes = append $modes (printf "%s=%s" $id $mode) -}}
{{- end -}}
{{- join "," $modes -}}
{{- end }}
