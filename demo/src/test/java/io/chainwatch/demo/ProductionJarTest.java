package io.chainwatch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The production jar is built before this module's tests run; it must be runnable and carry no test servers. */
class ProductionJarTest {
  private static final Path JAR = Path.of("../watcher/target/chainwatch.jar");

  @Test
  void productionJarIsExecutableAndCarriesNoMockServer() throws Exception {
    assertThat(JAR).exists();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.chainwatch.watcher.Main");
      assertThat(jar.stream().map(entry -> entry.getName()))
          .noneMatch(name -> name.startsWith("io/fabric8/mockwebserver/"))
          .noneMatch(name -> name.startsWith("io/fabric8/kubernetes/client/server/mock/"))
          .noneMatch(name -> name.startsWith("io/chainwatch/demo/"))
          .noneMatch(name -> name.startsWith("io/chainwatch/testkit/"))
          .noneMatch(name -> name.startsWith("kafka/server/"))
          .anyMatch(name -> name.startsWith("org/apache/kafka/clients/producer/"))
          .anyMatch(name -> name.startsWith("com/slack/api/"))
          .anyMatch(name -> name.equals("io/chainwatch/watcher/Main.class"));
    }
    assertThat(Files.size(JAR)).isPositive();
  }
}
