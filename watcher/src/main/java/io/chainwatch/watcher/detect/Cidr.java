package io.chainwatch.watcher.detect;

import java.util.Optional;

/**
 * An IPv4 or IPv6 prefix such as {@code 172.16.3.0/24}, parsed without {@link java.net.InetAddress} (which may
 * resolve names: detectors do no I/O).
 *
 * @param text the prefix as written
 * @param network the address bytes
 * @param bits prefix length
 */
record Cidr(String text, byte[] network, int bits) {
  static Optional<Cidr> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    byte[] address = parseAddress(text.substring(0, slash).trim());
    if (address == null) {
      return Optional.empty();
    }
    try {
      int bits = Integer.parseInt(text.substring(slash + 1).trim());
      return bits < 0 || bits > address.length * 8 ? Optional.empty() : Optional.of(new Cidr(text, address, bits));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  boolean contains(String ip) {
    byte[] address = parseAddress(ip == null ? "" : ip.trim());
    if (address == null || address.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < bits; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** Dotted-quad IPv4 or RFC 4291 IPv6 text (with {@code ::}, without zone or embedded IPv4); null when neither. */
  static byte[] parseAddress(String text) {
    return text.contains(":") ? parseIpv6(text) : parseIpv4(text);
  }

  private static byte[] parseIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
        return null;
      }
      int value = Integer.parseInt(parts[i]);
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  private static byte[] parseIpv6(String text) {
    int gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String[] head = gap < 0 ? text.split(":", -1) : splitGroups(text.substring(0, gap));
    String[] tail = gap < 0 ? new String[0] : splitGroups(text.substring(gap + 2));
    if (head == null || tail == null || (gap < 0 && head.length != 8) || (gap >= 0 && head.length + tail.length > 7)) {
      return null;
    }
    byte[] bytes = new byte[16];
    if (!putGroups(head, bytes, 0) || !putGroups(tail, bytes, 16 - 2 * tail.length)) {
      return null;
    }
    return bytes;
  }

  private static String[] splitGroups(String text) {
    return text.isEmpty() ? new String[0] : text.split(":", -1);
  }

  private static boolean putGroups(String[] groups, byte[] bytes, int offset) {
    for (int i = 0; i < groups.length; i++) {
      String group = groups[i];
      if (group.isEmpty() || group.length() > 4 || !group.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        return false;
      }
      int value = Integer.parseInt(group, 16);
      bytes[offset + 2 * i] = (byte) (value >>> 8);
      bytes[offset + 2 * i + 1] = (byte) value;
    }
    return true;
  }
}
