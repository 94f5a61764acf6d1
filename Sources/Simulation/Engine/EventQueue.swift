import HeapModule

/// What can happen in the marketplace. A plain enum: the engine switches on it once per event.
public enum EventKind: Sendable, Equatable {
    case requestArrival
    /// A user clicked `ad` (at retrieval `position`); the advertiser is charged `price`.
    case click(ad: Int32, position: Int32, price: Double)
    /// A delayed conversion following a click on `ad` by a user of `cohort`.
    case conversion(ad: Int32, cohort: Int32, value: Double)
    case budgetDayReset
    case pacingUpdate
    case modelUpdate
    /// Personal blocks of ads with fresh feedback are re-adapted (meta and finetune rankers).
    case personalAdaptation
    case advertiserEntry(advertiser: Int32)
    /// Advertisers review their results and may leave or change budgets (`advertiserDynamics`).
    case advertiserReview
}

/// A timed event; ties in time are broken by the order of scheduling.
public struct Event: Sendable, Comparable {
    public var time: Double
    public var sequence: UInt64
    public var kind: EventKind

    public static func < (a: Event, b: Event) -> Bool {
        a.time < b.time || (a.time == b.time && a.sequence < b.sequence)
    }

    public static func == (a: Event, b: Event) -> Bool { a.time == b.time && a.sequence == b.sequence }
}

/// The discrete-event engine's agenda: now, schedule, next.
///
/// A min-heap (swift-collections `Heap`) of events ordered by (time, sequence number), so two
/// events at the same instant run in the order they were scheduled — deterministic whatever
/// the floating-point times.
/// - Complexity: O(log n) to schedule and to take the next event.
public struct EventQueue: Sendable {
    private var heap = Heap<Event>()
    /// The earliest pending event, kept beside the heap (everything in the heap comes after it by
    /// the same (time, sequence) rule). The simulation takes a request arrival and schedules the
    /// next one, usually the earliest event again, so arrivals — the most frequent event — mostly
    /// pass through here and skip a heap insertion and removal each.
    private var front: Event?
    private var nextSequence: UInt64 = 0
    /// Time of the event being processed (seconds from the start of the run).
    public private(set) var now: Double = 0

    public init() {}

    public var count: Int { heap.count + (front == nil ? 0 : 1) }

    /// Schedules `kind` at `time` (never earlier than now).
    public mutating func schedule(at time: Double, _ kind: EventKind) {
        let event = Event(time: max(time, now), sequence: nextSequence, kind: kind)
        nextSequence &+= 1
        if let first = front {
            // The new event takes the front only if it comes before the one there.
            if event < first { heap.insert(first); front = event } else { heap.insert(event) }
        } else if let min = heap.min, min < event {
            heap.insert(event)
        } else {
            front = event
        }
    }

    /// Removes and returns the earliest event if it happens no later than `horizon`.
    public mutating func next(until horizon: Double) -> Event? {
        guard let first = front ?? heap.min, first.time <= horizon else { return nil }
        if front != nil { front = nil } else { heap.removeMin() }
        now = first.time
        return first
    }
}
