import Synchronization

#if LLMCACHE_PTHREAD_LOCKS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock every type of this package uses: `Mutex` in normal builds.
///
/// ThreadSanitizer cannot see the synchronisation inside the prebuilt
/// `Synchronization.Mutex` on Linux and reports races on every value it
/// protects, which would hide real races. Building with the environment
/// variable `LLMCACHE_PTHREAD_LOCKS=1` (as `scripts/tsan.sh` does) swaps in
/// this pthread-based lock, which ThreadSanitizer understands; the code using
/// the lock is unchanged.
package typealias CacheLock<Value> = PThreadLock<Value>

/// A value guarded by a pthread mutex; see ``CacheLock``. Both live behind
/// raw pointers, so the only accesses the sanitizer tracks are the ones made
/// while the mutex is held.
package struct PThreadLock<Value>: ~Copyable, @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    package init(_ initial: Value) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        value = .allocate(capacity: 1)
        value.initialize(to: initial)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    package borrowing func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
#else
/// The lock every type of this package uses: `Synchronization.Mutex`, except
/// in ThreadSanitizer runs (see `scripts/tsan.sh`), which swap in a pthread
/// mutex that the sanitizer can see through.
package typealias CacheLock<Value> = Mutex<Value>
#endif
