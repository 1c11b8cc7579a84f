package io.chainwatch.notifier.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.slack.api.socket_mode.SocketModeClient;
import com.slack.api.socket_mode.response.AckResponse;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An acknowledgement sent while the SDK still holds the connection it is replacing fails ("The connection has been
 * closed": seen when a click arrives at once on a new connection after a lost one); it must be sent again, not lost.
 * The SDK's client is an interface: here one whose first sends fail as Tyrus's closed session does.
 */
class SlackAcknowledgementTest {
  private final SlackActions actions = new SlackActions("http://127.0.0.1:1/api/", "unused", "unused", "S0ONCALL",
      action -> { }, () -> true, Clock.systemUTC());
  private final List<String> acknowledged = new CopyOnWriteArrayList<>();
  private final AtomicInteger attempts = new AtomicInteger();

  @AfterEach
  void close() {
    actions.close();
  }

  /** A client whose first {@code failures} sends throw as a closed Tyrus session does. */
  private SocketModeClient failingFirst(int failures) {
    return (SocketModeClient) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {SocketModeClient.class}, (proxy, method, args) -> {
          if (method.getName().equals("sendSocketModeResponse")) {
            if (attempts.incrementAndGet() <= failures) {
              throw new IllegalStateException("The connection has been closed.");
            }
            acknowledged.add(((AckResponse) args[0]).getEnvelopeId());
            return null;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void anAcknowledgementThatFailsIsSentAgainOnTheClientsNextConnection() {
    actions.acknowledge(failingFirst(2), "env-1", 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.contains("env-1"));
    assertThat(attempts.get()).isEqualTo(3);
    assertThat(acknowledged).containsExactly("env-1");
  }

  @Test
  void anAcknowledgementIsTriedABoundedNumberOfTimes() {
    actions.acknowledge(failingFirst(Integer.MAX_VALUE), "env-2", 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() >= SlackActions.ACK_ATTEMPTS);
    // the last attempt is not followed by another: the count holds for three retry intervals
    await().during(SlackActions.ACK_RETRY.multipliedBy(3)).atMost(Duration.ofSeconds(5))
        .until(() -> attempts.get() == SlackActions.ACK_ATTEMPTS);
    assertThat(acknowledged).isEmpty();
  }

  @Test
  void aSuccessfulAcknowledgementIsSentOnce() {
    actions.acknowledge(failingFirst(0), "env-3", 1);

    assertThat(acknowledged).containsExactly("env-3");
    assertThat(attempts.get()).isEqualTo(1);
  }
}
