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

    init(
        configuration: RedisConfiguration, channel: [UInt8], pollKey: [UInt8], pollInterval: Duration,
        logger: Logger, handlers: Handlers
    ) {
        startThread(named: "llmcache-pubsub") { [self] in
            run(configuration, channel: channel, pollKey: pollKey, pollInterval: pollInterval, logger: logger, handlers: handlers)
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
        logger: Logger, handlers: Handlers
    ) {
        var subscription: RedisWire?
        var poller: RedisWire?
        var subscribedBefore = false
        var delay = configuration.reconnectDelay
        var lastPoll: ContinuousClock.Instant?

        while !stopping {
            if lastPoll.map({ ContinuousClock.now - $0 >= pollInterval }) ?? true {
                lastPoll = .now
                do {
                    if poller == nil { poller = try RedisWire(configuration: configuration) }
                    handlers.polled(try poller!.roundTrip([Array("GET".utf8), pollKey]))
                } catch {
                    poller = nil
                }
            }
            if subscription == nil {
                do {
                    let context = try RedisWire(configuration: configuration)
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
            }
        }
        subscription = nil
        poller = nil
        firstAttempt.fire()
        finished.fire()
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
