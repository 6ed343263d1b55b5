#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a `pthread_mutex_t`, used for all shared state of a machine.
///
/// It is used instead of `Synchronization.Mutex`, which on Linux is a futex lock inside the
/// uninstrumented Synchronization library. ThreadSanitizer cannot see its happens-before
/// edges and reports every access behind it as a race. ThreadSanitizer intercepts
/// `pthread_mutex_*`, so the concurrency stress test can check the runtime for real.
public final class Locked<Value>: @unchecked Sendable {
    // Sendable: `value` is only touched while `mutex` is held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// Guards `value`.
    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
