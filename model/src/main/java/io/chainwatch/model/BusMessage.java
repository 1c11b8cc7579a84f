package io.chainwatch.model;

/**
 * Every record that travels on the event bus. Sealed so that a test can enumerate all of them and prove each one has a
 * local pass-through codec: no bus message may ever fall back to Java serialization.
 */
public sealed interface BusMessage permits Finding,
        PersonAction,
        ApprovalChange,
        FindingCleared,
        ClusterChange,
        RemediationDecision,
        RemediationOutcome,
        BreakerChange,
        IncidentChange {}
