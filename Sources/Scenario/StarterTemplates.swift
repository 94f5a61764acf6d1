/// Commented starter scenarios for `fairground init`, so nobody starts from a blank file.
///
/// Each is a complete scenario that validates and runs in well under a minute on 2 cores; the
/// comments say what each key does and what to change first. The full reference is README.md.
public enum StarterTemplates {
    public static let names = ["quickstart", "small-advertisers", "exploration", "fairness"]

    /// The template called `name`, if there is one.
    public static func text(_ name: String) -> String? {
        switch name {
        case "quickstart": return header("quickstart", "Does a per-advertiser (meta-learned) ranker help small advertisers spend their budgets?") + market(entrants: "perDay: 5") + """
            policies:
              # The first policy is the baseline every other one is compared with, paired per replicate.
              - name: global
                ranker: global
              - name: meta-learned
                ranker: {kind: meta, coldStart: meta-embedding}
              # The oracle knows the true click rates: a reference, not a policy you could ship.
              - name: oracle
                ranker: oracle

            """
        case "small-advertisers": return header("small-advertisers", "What happens to small and new advertisers if 30% of advertisers are new this week?") + market(entrants: "share: 0.3          # entrants as a share of all advertisers by the end (or perDay: N)", days: 7) + """
            policies:
              - name: global
                ranker: global
              - name: meta-learned
                ranker: {kind: meta, coldStart: meta-embedding}
              - name: oracle
                ranker: oracle

            """
        case "exploration": return header("exploration", "If 30% of advertisers are new this week, which exploration rate should we use for their ads?") + market(entrants: "share: 0.3", days: 7, retrieval: "popularity") + """
            policies:
              - name: no exploration
                ranker: global
              # A Thompson-sampling explorer hands one slot on `rate` of requests to an ad from its
              # pool (`new`: ads of advertisers that entered during the run). With 3 slots, rate 0.05
              # explores about 0.05 ÷ 3 ≈ 1.7% of impressions.
              - name: explore 2%
                ranker: global
                explorer: {algorithm: thompson, rate: 0.02, pool: new, pricing: auction, graduation: {impressions: 300}}
              - name: explore 5%
                ranker: global
                explorer: {algorithm: thompson, rate: 0.05, pool: new, pricing: auction, graduation: {impressions: 300}}
              - name: explore 10%
                ranker: global
                explorer: {algorithm: thompson, rate: 0.1, pool: new, pricing: auction, graduation: {impressions: 300}}
              - name: oracle
                ranker: oracle
            # Each rate is compared with the first policy; to choose a rate precisely, search it with
            # a sweep or `fairground tune` (README, "Sweeps"), which compares the rates with each other.

            """
        case "fairness": return header("fairness", "What does guaranteeing small advertisers exposure cost the platform?") + market(entrants: "perDay: 5") + """
            policies:
              - name: global ranker
                ranker: global
              # Keep the small tier at ≥ 45% of position-weighted exposure in every 6-hour window.
              - name: exposure floor
                ranker: global
                fairness: {kind: exposure-floor, group: small, share: 0.45, windowHours: 6}
              # FairCo: boosts groups whose exposure falls behind their merit (λ sets the strength).
              - name: FairCo
                ranker: global
                fairness: {kind: fairco, lambda: 0.001, merit: estimated}
              - name: oracle
                ranker: oracle

            """
        default: return nil
        }
    }

    static func header(_ name: String, _ question: String) -> String {
        """
        # A Fairground starter scenario (`fairground init --template \(name)`).
        # The question it asks: \(question)
        # Run it with `fairground run FILE`; the report's first section answers the question.
        # Every key is documented in README.md ("Scenario files").
        name: \(name)-starter
        seed: 7                 # same seed, same results, whatever the parallelism
        replicates: 8           # more replicates narrow the intervals (and take longer)
        currency: money units   # shown in the reports only, e.g. EUR

        """
    }

    static func market(entrants: String, days: Int = 3, retrieval: String = "uniform") -> String {
        """
        horizon:
          days: \(days)
          requestsPerDay: 20000
        placement:
          examination: [1.0, 0.6, 0.35]   # how often each slot is looked at, top slot first
          maxCandidates: 40               # ads retrieved per request
          retrieval: \(retrieval)             # uniform, or popularity (the rich-get-richer funnel)
        auction:
          mechanism: gsp                  # gsp, vcg, second-price or first-price
          reserve: 0.05
        tiers:
          # A few large advertisers with long histories...
          large:
            count: 20
            adsPerAdvertiser: 4
            budget: {distribution: lognormal, median: 250, sigma: 0.4}
            bid: {distribution: lognormal, median: 1.0, sigma: 0.3}
            historyImpressions: {distribution: lognormal, median: 4000, sigma: 0.5}
          # ...and many small ones with a few dozen logged impressions per ad.
          small:
            count: 150
            adsPerAdvertiser: 2
            budget: {distribution: pareto, scale: 40, shape: 2.5}
            bid: {distribution: lognormal, median: 0.9, sigma: 0.3}
            historyImpressions: {distribution: lognormal, median: 30, sigma: 0.8}
            qualityShift: 0.5             # small advertisers' products are better than their history shows
        newAdvertisers:
          \(entrants)
          tierMix: {small: 0.9, large: 0.1}
        truth:
          baseCTR: 0.03
          baseCVR: 0.08
        pacing: multiplicative

        """
    }
}
