package io.chainwatch.remediation.workflow;

import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.RemediationOutcome.Result;
import io.chainwatch.remediation.policy.RepairRequest;
import io.chainwatch.remediation.policy.RepairTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An rp_filter repair from the policy's verdict to its end: the request written on the Node for its probe, then
 * followed through the node's report until the probe answers (refused or could not write: failed), the finding clears
 * (verified) or the verify timeout passes (not-helped). The state is the requests written and not yet answered.
 *
 * <pre>
 *   repair ──► WriteRepair ──written──► requested ──report clears the finding──► verified
 *                  │                        ├──probe refused / could not write──► failed
 *                  │                        └──verify timeout──► not-helped
 *                  ├──lease lost──► not-leader; decide again later
 *                  └──write failed──► failed
 * </pre>
 */
public final class RepairWorkflow {
  private static final Duration NOT_LEADER_RETRY = Duration.ofSeconds(10);

  private final RemediationConfig config;
  /** Repair requests written and not yet answered, by node. */
  private final Map<String, RepairAttempt> inFlight = new LinkedHashMap<>();

  public RepairWorkflow(RemediationConfig config) {
    this.config = config;
  }

  /** The request written on {@code node} and not yet answered (it may not be back through the informer yet). */
  public Optional<RepairRequest> inFlight(String node) {
    return Optional.ofNullable(inFlight.get(node)).map(RepairAttempt::request);
  }

  /** The policy said repair: ask the node's probe (dry-run: only say what would have been asked). */
  public List<Effect> repair(Finding finding, RepairTarget target, String requestId, Instant now) {
    String node = target.node().name();
    RepairRequest request = RepairRequest.next(target.previous(), requestId, now,
        config.rpFilterRepair().requestTtl(), target.values(), finding.dedupKey());
    if (config.dryRunFor(finding.detectorId())) {
      return List.of(outcome(finding, Result.WOULD_REPAIR, "dry-run: chainwatch would have asked the probe on node "
          + node + " to write rp_filter " + request.values() + " (" + finding.detectorId() + " observes: "
          + "remediation.mode or remediation.detectorModes; set it to enforce to act)", evidence(request, node), now));
    }
    RepairAttempt attempt = new RepairAttempt(node, finding, request);
    inFlight.put(node, attempt);
    return List.of(new Effect.WriteRepair(attempt));
  }

  /** The request is on the Node. */
  public List<Effect> written(RepairAttempt attempt, Instant now) {
    return List.of(outcome(attempt.finding(), Result.REPAIR_REQUESTED, "asked the probe on node " + attempt.node()
        + " to write rp_filter " + attempt.request().values() + "; waiting up to " + config.verifyTimeout()
        + " for its report", evidence(attempt.request(), attempt.node()), now));
  }

  /** The request could not be written: this replica may not write ({@code notLeader}), or the write failed. */
  public List<Effect> notWritten(RepairAttempt attempt, boolean notLeader, String message, Instant now) {
    inFlight.remove(attempt.node());
    Map<String, Object> evidence = evidence(attempt.request(), attempt.node());
    if (notLeader) {
      return List.of(outcome(attempt.finding(), Result.NOT_LEADER, "no repair requested: this replica may not write "
          + "now (" + message + ")", evidence, now), new Effect.DecideAt(attempt.finding(), now.plus(NOT_LEADER_RETRY)));
    }
    return List.of(outcome(attempt.finding(), Result.FAILED, "the repair request could not be written on node "
        + attempt.node() + ": " + message, evidence, now));
  }

  /** The finding a repair was for cleared: the node's report no longer shows the problem. */
  public List<Effect> cleared(Finding finding, Function<String, Optional<NodeReport>> reports, Instant now) {
    String node = finding.resource().name();
    RepairAttempt attempt = inFlight.get(node);
    if (attempt == null || !attempt.finding().dedupKey().equals(finding.dedupKey())) {
      return List.of();
    }
    inFlight.remove(node);
    Map<String, Object> evidence = evidence(attempt.request(), node);
    answerOf(attempt, reports).ifPresent(answer -> evidence.put("written", answer.written()));
    evidence.put("verifiedAfterSeconds", Duration.between(attempt.request().requestedAt(), now).toSeconds());
    return List.of(outcome(attempt.finding(), Result.VERIFIED, "rp_filter on node " + node + " is right again: the "
        + "node's report no longer shows the problem", evidence, now));
  }

  /** Follows the requests in flight through the nodes' reports. */
  public List<Effect> verify(Function<String, Optional<NodeReport>> reports, Instant now) {
    List<Effect> effects = new ArrayList<>();
    for (RepairAttempt attempt : new ArrayList<>(inFlight.values())) {
      String node = attempt.node();
      NodeReport.RepairAnswer answer = answerOf(attempt, reports).orElse(null);
      Map<String, Object> evidence = evidence(attempt.request(), node);
      if (answer != null && (answer.refused() != null || !answer.errors().isEmpty())) {
        inFlight.remove(node);
        evidence.put("written", answer.written());
        evidence.put("errors", answer.errors());
        if (answer.refused() != null) {
          evidence.put("refused", answer.refused());
        }
        String why = answer.refused() != null ? "refused: " + answer.refused() : "could not write " + answer.errors();
        effects.add(outcome(attempt.finding(), Result.FAILED, "the probe on node " + node + " " + why, evidence, now));
      } else if (!now.isBefore(attempt.request().requestedAt().plus(config.verifyTimeout()))) {
        inFlight.remove(node);
        String detail;
        if (answer == null) {
          detail = "repair did not help: the probe on node " + node + " did not answer within "
              + config.verifyTimeout() + " (is it running, with repair enabled: the chart's rpFilterRepair.enabled?)";
        } else {
          evidence.put("written", answer.written());
          detail = "repair did not help: the probe on node " + node + " wrote rp_filter " + answer.written()
              + " but its report still shows the problem: something sets it back (systemd-sysctl, a config agent, "
              + "Cilium's sysctlfix)";
        }
        effects.add(outcome(attempt.finding(), Result.NOT_HELPED, detail, evidence, now));
      }
    }
    if (!effects.isEmpty()) {
      effects.add(new Effect.DecideWaiting());
    }
    return effects;
  }

  private static Optional<NodeReport.RepairAnswer> answerOf(RepairAttempt attempt,
      Function<String, Optional<NodeReport>> reports) {
    return reports.apply(attempt.node()).map(NodeReport::repair)
        .filter(answer -> answer.id().equals(attempt.request().id()));
  }

  private Effect.PublishOutcome outcome(Finding finding, Result result, String detail, Map<String, Object> evidence,
      Instant now) {
    return Outcomes.publish(finding, result, detail, evidence, config.modeFor(finding.detectorId()), now);
  }

  private static Map<String, Object> evidence(RepairRequest request, String node) {
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("node", node);
    evidence.put("requestId", request.id());
    evidence.put("rpFilter", request.values());
    evidence.put("requestedAt", request.requestedAt().toString());
    evidence.put("expiresAt", request.expiresAt().toString());
    evidence.put("attemptsThisHour", request.attempts().size());
    return evidence;
  }
}
