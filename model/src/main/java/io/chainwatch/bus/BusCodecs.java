package io.chainwatch.bus;

import io.chainwatch.model.BusMessage;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayList;
import java.util.List;

/** Registers one local pass-through codec per bus message type. */
public final class BusCodecs {
  private BusCodecs() {}

  /** Every concrete bus message type, found from the sealed {@link BusMessage} hierarchy. */
  public static List<Class<?>> messageTypes() {
    List<Class<?>> types = new ArrayList<>();
    collect(BusMessage.class, types);
    return types;
  }

  /** Registers a default codec for every bus message type on {@code eventBus}. Call once per Vert.x instance. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void registerAll(EventBus eventBus) {
    for (Class<?> type : messageTypes()) {
      eventBus.registerDefaultCodec((Class) type, new LocalCodec<>(type));
    }
  }

  private static void collect(Class<?> type, List<Class<?>> into) {
    if (type.isSealed()) {
      for (Class<?> sub : type.getPermittedSubclasses()) {
        collect(sub, into);
      }
    } else if (!type.isInterface()) {
      into.add(type);
    }
  }
}
