import Dispatch
import Foundation

/// Runs `count` independent jobs on `jobs` worker threads and returns their results in index
/// order, so the output never depends on scheduling. Each job must be a pure function of its index.
///
/// - Parameter progress: called after each job with (jobs done, count), from a worker thread.
public func parallelMap<T: Sendable>(count: Int, jobs: Int, progress: (@Sendable (Int, Int) -> Void)? = nil,
                                     _ job: @escaping @Sendable (Int) -> T) -> [T] {
    let pool = JobPool<T>(count: count)
    let group = DispatchGroup()
    for _ in 0..<max(1, min(jobs, count)) {
        group.enter()
        Thread.detachNewThread {
            while let index = pool.take() {
                let done = pool.store(job(index), at: index)
                progress?(done, count)
            }
            group.leave()
        }
    }
    group.wait()
    return pool.results()
}

/// Hands out indices and collects results under a lock.
private final class JobPool<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0, done = 0
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ value: T, at index: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        slots[index] = value
        done += 1
        return done
    }

    func results() -> [T] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0! }
    }
}
