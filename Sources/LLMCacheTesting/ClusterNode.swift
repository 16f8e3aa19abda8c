/// Starting a killed node of a local cluster again, with the settings
/// scripts/redis.sh gives its nodes and the node's own files, so that it
/// rejoins (as a replica of whichever node took over its slots).
public enum ClusterNode {
    /// Starts `binary` (redis-server or valkey-server) as the node that
    /// listened on `port` with its files in `directory`; returns once it
    /// has daemonized.
    public static func restart(binary: String, port: Int, directory: String) throws {
        let status = try ChildProcess.run(binary, [
            "--port", "\(port)", "--bind", "127.0.0.1", "--protected-mode", "no", "--save", "", "--appendonly", "no",
            "--enable-debug-command", "local", "--daemonize", "yes", "--pidfile", "\(directory)/redis.pid",
            "--logfile", "\(directory)/redis.log", "--dir", directory, "--cluster-enabled", "yes",
            "--cluster-config-file", "\(directory)/nodes.conf", "--cluster-node-timeout", "2000",
            "--cluster-replica-validity-factor", "0",
        ])
        guard status == 0 else {
            throw ChildProcessError(description: "\(binary) did not start on port \(port) (exit status \(status))")
        }
    }
}
