package io.chainwatch.model;

import java.time.Instant;
import java.util.Objects;

/**
 * What the remediation policy decided for one finding, and which rule or limit chose it, so that the audit record can
 * say why. A closed set: evict now, ask a node's probe for a repair, wait until a time, page a person, or skip.
 */
public sealed interface Decision permits Decision.Evict, Decision.Repair, Decision.Wait, Decision.Page,
    Decision.Skip {
  /** The rule or limit that chose this decision. */
  RemediationRule rule();

  /** One sentence a person understands. */
  String why();

  /** The lower-case verdict used on the wire: evict, repair, wait, page or skip. */
  String verdict();

  /** Evict the pod now. */
  record Evict(RemediationRule rule, String why) implements Decision {
    public Evict {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(why, "why");
    }

    @Override
    public String verdict() {
      return "evict";
    }
  }

  /** Ask the node's probe to write the expected host settings back. */
  record Repair(RemediationRule rule, String why) implements Decision {
    public Repair {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(why, "why");
    }

    @Override
    public String verdict() {
      return "repair";
    }
  }

  /** Not yet: decide again at {@code until} (or earlier, when what blocks it ends). */
  record Wait(RemediationRule rule, String why, Instant until) implements Decision {
    public Wait {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(why, "why");
      Objects.requireNonNull(until, "until");
    }

    @Override
    public String verdict() {
      return "wait";
    }
  }

  /** A person must act; chainwatch will not. */
  record Page(RemediationRule rule, String why) implements Decision {
    public Page {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(why, "why");
    }

    @Override
    public String verdict() {
      return "page";
    }
  }

  /** Nothing to do (already done, or no longer true). */
  record Skip(RemediationRule rule, String why) implements Decision {
    public Skip {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(why, "why");
    }

    @Override
    public String verdict() {
      return "skip";
    }
  }
}
