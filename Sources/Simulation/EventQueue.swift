import HeapModule

/// What can happen in the marketplace. A plain enum: the engine switches on it once per event.
public enum EventKind: Sendable, Equatable {
    case requestArrival
    /// A user clicked `ad`, shown at slot `slot`; the advertiser is charged `price`.
    case click(ad: Int32, price: Double)
    /// A delayed conversion following a click on `ad` by a user of `cohort`.
    case conversion(ad: Int32, cohort: Int32)
    case budgetDayReset
    case pacingUpdate
    case modelUpdate
    /// Personal blocks of ads with fresh feedback are re-adapted (meta and finetune rankers).
    case personalAdaptation
    case advertiserEntry(advertiser: Int32)
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
    /// A request arrival kept beside the heap: the simulation always has exactly one pending,
    /// and it is the most frequent event, so it skips a heap insertion and removal per request.
    /// Ordered against the heap by the same (time, sequence) rule.
    private var arrival: Event?
    private var nextSequence: UInt64 = 0
    /// Time of the event being processed (seconds from the start of the run).
    public private(set) var now: Double = 0

    public init() {}

    public var count: Int { heap.count + (arrival == nil ? 0 : 1) }

    /// Schedules `kind` at `time` (never earlier than now). A request arrival is held beside the
    /// heap when none is held yet, else it joins the heap like any event: the order is the same.
    public mutating func schedule(at time: Double, _ kind: EventKind) {
        let event = Event(time: max(time, now), sequence: nextSequence, kind: kind)
        nextSequence &+= 1
        if case .requestArrival = kind, arrival == nil { arrival = event } else { heap.insert(event) }
    }

    /// Removes and returns the earliest event if it happens no later than `horizon`.
    public mutating func next(until horizon: Double) -> Event? {
        let event: Event
        if let pending = arrival, heap.min.map({ pending < $0 }) ?? true {
            guard pending.time <= horizon else { return nil }
            event = pending
            arrival = nil
        } else {
            guard let first = heap.min, first.time <= horizon else { return nil }
            event = heap.removeMin()
        }
        now = event.time
        return event
    }
}
