package dev.lamina.ps.client;

/**
 * A {@code host:port} address of a parameter server shard ({@code [v6-address]:port} for IPv6).
 *
 * @param host a host name or address
 * @param port in [1, 65535]
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host : \"" + host + "\" (expected: a host name or address)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port : " + port + " (expected: in [1, 65535])");
        }
    }

    /** Parses {@code host:port}; the message names the text and what was expected. */
    public static HostPort parse(String address) {
        String text = address == null ? "" : address.trim();
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("shard address : \"" + address + "\" (expected: host:port)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shard address : \"" + address + "\" (expected: host:port with a"
                    + " numeric port)", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("shard address : \"" + address + "\" port " + port
                    + " (expected: in [1, 65535])");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
