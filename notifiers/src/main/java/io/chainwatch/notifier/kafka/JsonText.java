package io.chainwatch.notifier.kafka;

import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

/**
 * Encodes the records chainwatch sends (CloudEvents, spool lines) with Vert.x's streaming codec, which walks the
 * JsonObject's maps and lists with one Jackson generator. {@link JsonObject#encode()} goes through Jackson's data
 * binding whenever it is on the classpath (it is: fabric8 brings it), which looks up a serializer for every value:
 * about a third of the samples of the event loop the notifier then shared with the evaluator, in a JFR profile of the
 * pipeline benchmark. The text
 * is the same ({@code JsonTextTest} compares them); a value the streaming codec cannot write (a type only data
 * binding knows) is encoded by {@link JsonObject#encode()} as before.
 */
public final class JsonText {
  private static final JacksonCodec STREAMING = new JacksonCodec();

  private JsonText() {
  }

  public static String encode(JsonObject object) {
    try {
      return STREAMING.toString(object, false);
    } catch (EncodeException e) {
      return object.encode();
    }
  }
}
