package io.chainwatch.remediation.workflow;

import io.chainwatch.model.Finding;
import io.chainwatch.remediation.policy.RepairRequest;

/**
 * One rp_filter repair request for a node's probe.
 *
 * @param node the node
 * @param finding the finding it answers
 * @param request what the probe is asked to write
 */
public record RepairAttempt(String node, Finding finding, RepairRequest request) {}
