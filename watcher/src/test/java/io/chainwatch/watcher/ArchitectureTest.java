package io.chainwatch.watcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of STYLE.md, enforced. */
class ArchitectureTest {
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.chainwatch");
  }

  @Test
  void detectorsArePure() {
    noClasses().that().resideInAPackage("..watcher.detect..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.vertx..", "java.io..", "java.nio..",
            "java.net..", "..watcher.informer..", "..watcher.eval..", "..watcher.health..", "..watcher.scan..")
        .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
        .orShould().callMethod(Instant.class, "now")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .check(classes);
  }

  @Test
  void theModelHoldsNoLibraryTypes() {
    noClasses().that().resideInAnyPackage("io.chainwatch.model..", "io.chainwatch.bus..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "com.slack..", "org.apache.kafka..",
            "io.chainwatch.watcher..", "io.chainwatch.config..")
        .check(classes);
  }

  @Test
  void configDependsOnNothingButTheModel() {
    noClasses().that().resideInAPackage("io.chainwatch.config..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.vertx..", "io.chainwatch.watcher..")
        .check(classes);
  }

  @Test
  void theViewDoesNotKnowAboutInformersOrTheBus() {
    noClasses().that().resideInAPackage("..watcher.view..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.fabric8.kubernetes.client..",
            "..watcher.informer..", "..watcher.eval..")
        .check(classes);
  }

  @Test
  void theRemediationPolicyIsPure() {
    noClasses().that().resideInAPackage("io.chainwatch.remediation.policy..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.vertx..", "java.io..", "java.nio..",
            "java.net..", "io.chainwatch.remediation.action..")
        .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
        .orShould().callMethod(Instant.class, "now")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .check(classes);
  }

  @Test
  void remediationWorkflowsArePureAndOnlyReadTheEvictionsAnswer() {
    noClasses().that().resideInAPackage("io.chainwatch.remediation.workflow..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.vertx..", "java.io..", "java.nio..",
            "java.net..")
        .orShould().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.and(
            com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage("io.chainwatch.remediation.action.."),
            com.tngtech.archunit.base.DescribedPredicate.not(com.tngtech.archunit.core.domain.JavaClass.Predicates
                .belongToAnyOf(io.chainwatch.remediation.action.EvictionResult.class))))
        .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
        .orShould().callMethod(Instant.class, "now")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .check(classes);
  }

  @Test
  void remediationsKnowNeitherTheWatcherNorTheNotifiers() {
    noClasses().that().resideInAPackage("io.chainwatch.remediation..")
        .should().dependOnClassesThat().resideInAnyPackage("io.chainwatch.watcher..", "io.chainwatch.notifier..")
        .check(classes);
  }

  @Test
  void theIncidentTrackerIsPure() {
    noClasses().that().resideInAPackage("io.chainwatch.notifier.incident..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.vertx..", "java.io..",
            "java.nio.file..", "java.nio.channels..", "java.net..", "org.apache.kafka..", "com.slack..")
        .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
        .orShould().callMethod(Instant.class, "now")
        .check(classes);
  }

  @Test
  void notifiersKnowNeitherTheWatcherNorRemediation() {
    noClasses().that().resideInAPackage("io.chainwatch.notifier..")
        .should().dependOnClassesThat().resideInAnyPackage("io.chainwatch.watcher..", "io.chainwatch.remediation..",
            "io.chainwatch.testkit..")
        .check(classes);
  }
}
