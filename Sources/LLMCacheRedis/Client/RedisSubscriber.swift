import Foundation
import LLMCache
import Logging
import Synchronization

/// Listens to one pub/sub channel on a dedicated connection and thread, and
/// reads one key periodically on a second connection.
///
/// Reconnects with back-off and subscribes again after any failure; tells its
/// owner each time it (re)subscribes, because messages sent while it was
/// disconnected are lost and the owner must assume the worst.
///
/// On a cluster it subscribes on any node (a classic `PUBLISH` reaches
/// subscribers on every node) and moves to the next one that `nodes` names
/// when its node fails; the periodic read follows `MOVED` to the key's owner.
final class RedisSubscriber: Sendable {
    struct Handlers: Sendable {
        /// A message arrived on the channel.
        var message: @Sendable ([UInt8]) -> Void
        /// The subscription is (again) in place; `isReconnect` is false the first time.
        var subscribed: @Sendable (_ isReconnect: Bool) -> Void
        /// The periodically read key's current value (`nil` when absent).
        var polled: @Sendable (RedisValue) -> Void
    }

    private let isShutDown = Atomic<Bool>(false)
    private let finished = OneShotSignal()
    private let firstAttempt = OneShotSignal()

    /// - Parameter nodes: on a cluster, the nodes to subscribe on, in order
    ///   of preference, never empty (read again at each reconnect, so that it
    ///   follows the cluster's layout); ignored for one server.
    init(
        configuration: RedisConfiguration, channel: [UInt8], pollKey: [UInt8], pollInterval: Duration,
        logger: Logger, nodes: @escaping @Sendable () -> [RedisConfiguration.Endpoint] = { [] }, handlers: Handlers
    ) {
        startThread(named: "llmcache-pubsub") { [self] in
            run(
                configuration, channel: channel, pollKey: pollKey, pollInterval: pollInterval, logger: logger,
                nodes: nodes, handlers: handlers)
        }
    }

    /// Returns once the first attempt to subscribe has succeeded or failed,
    /// so that a caller knows messages published from now on reach it (if
    /// Redis is up).
    func waitUntilFirstAttempt() async {
        await firstAttempt.wait()
    }

    /// Stops the thread; returns once it has closed its connections.
    func shutdown() async {
        requestStop()
        await finished.wait()
    }

    /// Tells the thread to close its connections and end, without waiting.
    func requestStop() {
        isShutDown.store(true, ordering: .releasing)
    }

    private var stopping: Bool { isShutDown.load(ordering: .acquiring) }

    private func run(
        _ configuration: RedisConfiguration, channel: [UInt8], pollKey: [UInt8], pollInterval: Duration,
        logger: Logger, nodes: @Sendable () -> [RedisConfiguration.Endpoint], handlers: Handlers
    ) {
        var subscription: RedisWire?
        var poller: RedisWire?
        var subscribedBefore = false
        var delay = configuration.reconnectDelay
        var lastPoll: ContinuousClock.Instant?
        // Which of the cluster's nodes to try next; always the endpoint for one server.
        var attempt = 0
        func node() -> RedisConfiguration {
            let candidates = nodes()
            guard configuration.cluster != nil, !candidates.isEmpty else { return configuration.forNode(configuration.endpoint) }
            return configuration.forNode(candidates[attempt % candidates.count])
        }

        while !stopping {
            if lastPoll.map({ ContinuousClock.now - $0 >= pollInterval }) ?? true {
                lastPoll = .now
                do {
                    if poller == nil { poller = try RedisWire(configuration: node()) }
                    handlers.polled(try poll(pollKey, on: &poller!, configuration: configuration))
                } catch {
                    poller = nil
                }
            }
            if subscription == nil {
                do {
                    let context = try RedisWire(configuration: node())
                    let reply = try context.roundTrip([Array("SUBSCRIBE".utf8), channel])
                    guard reply.array?.first?.string == "subscribe" else {
                        throw RedisError(.protocolError, "unexpected reply to SUBSCRIBE: \(reply)")
                    }
                    subscription = context
                    firstAttempt.fire()
                    delay = configuration.reconnectDelay
                    handlers.subscribed(subscribedBefore)
                    if subscribedBefore { logger.info("resubscribed to invalidation channel") }
                    subscribedBefore = true
                } catch {
                    firstAttempt.fire()
                    attempt += 1
                    logger.warning("subscribing failed; retrying", metadata: ["error": "\(error)"])
                    pause(delay)
                    delay = min(delay * 2, configuration.maximumReconnectDelay)
                    continue
                }
            }
            do {
                try receive(on: subscription!, handlers: handlers)
            } catch {
                logger.warning("invalidation channel dropped; reconnecting", metadata: ["error": "\(error)"])
                subscription = nil
                attempt += 1
            }
        }
        subscription = nil
        poller = nil
        firstAttempt.fire()
        finished.fire()
    }

    /// `GET key` on `poller`; on a cluster node that does not own the key,
    /// once more on the owner the `MOVED` reply names (which `poller` then
    /// stays connected to).
    private func poll(_ key: [UInt8], on poller: inout RedisWire, configuration: RedisConfiguration) throws(RedisError)
        -> RedisValue
    {
        let command = [Array("GET".utf8), key]
        let reply = try poller.roundTrip(command)
        guard case .error(let message) = reply,
            let (_, owner) = ClusterRouter.redirection(message, prefix: "MOVED ", from: configuration.endpoint)
        else { return reply }
        poller = try RedisWire(configuration: configuration.forNode(owner))
        return try poller.roundTrip(command)
    }

    /// Delivers buffered messages, then waits up to 100 ms for more.
    private func receive(on context: RedisWire, handlers: Handlers) throws(RedisError) {
        while let reply = try context.bufferedReply() {
            if let parts = reply.array, parts.count == 3, parts[0].string == "message", let payload = parts[2].bytes {
                handlers.message(payload)
            }
        }
        if context.waitReadable(for: .milliseconds(100)) { try context.readAvailable() }
    }

    /// Sleeps in short slices so that shutdown is never held up for long.
    private func pause(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while !stopping, ContinuousClock.now < deadline { usleep(20_000) }
    }
}
