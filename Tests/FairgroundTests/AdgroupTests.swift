import Testing
@testable import Scenario
@testable import Simulation
@testable import Marketplace
import Stochastics

/// Adgroups (issue 19, item 4): an advertiser's ads split into adgroups, each targeting a cohort
/// and holding a share of the budget; personal blocks per adgroup.
@Suite("Adgroups: the level between advertiser and ads")
struct AdgroupTests {
    /// The tiny world with two cohorts; large advertisers have five ads in two adgroups (shares 3 : 1),
    /// small ones two ads in one adgroup.
    static func yaml(policies: String = "  - {name: global, ranker: global}\n", large: String = "adgroupBudgetShares: [3, 1]") -> String {
        Fixtures.tinyYAML.components(separatedBy: "policies:")[0]
            .replacingOccurrences(of: "    adsPerAdvertiser: 2\n", with: "    adsPerAdvertiser: 5\n    adgroupsPerAdvertiser: 2\n    \(large)\n")
            .replacingOccurrences(of: "  small:\n    count: 20\n", with: "  small:\n    count: 20\n    adsPerAdvertiser: 2\n    adgroupsPerAdvertiser: 1\n")
            + "cohorts:\n  - {name: a, share: 0.5, center: -0.5}\n  - {name: b, share: 0.5, center: 0.5, objective: order-value}\n"
            + "policies:\n" + policies
    }

    @Test func adsAreSplitInOrderAndAdgroupsTargetCohortsInTurn() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.yaml(), file: "adgroups.yaml")
        #expect(scenario.tiers[0].adgroupBudgetShares == [0.75, 0.25])
        let w = WorldGenerator.generate(scenario, replicate: 0)
        #expect(w.adgroupsDeclared && w.hasAdgroupBudgets && !w.adgroupsAreAds)
        for adv in 0..<w.advertiserCount {
            let large = w.advertiserTier[adv] == 0
            let groups = Int(w.adgroupCount[adv]), first = Int(w.firstAdgroup[adv])
            #expect(groups == (large ? 2 : 1))
            #expect((first..<(first + groups)).map { Int(w.adgroupAdCount[$0]) } == (large ? [3, 2] : [2]))
            #expect((first..<(first + groups)).map { Int(w.adgroupTarget[$0]) } == (large ? [0, 1] : [0]))
            #expect((first..<(first + groups)).map { w.adgroupBudgetShare[$0] } == (large ? [0.75, 0.25] : [1]))
            for g in first..<(first + groups) {
                #expect(Int(w.adgroupAdvertiser[g]) == adv)
                for ad in Int(w.adgroupFirstAd[g])..<Int(w.adgroupFirstAd[g] + w.adgroupAdCount[g]) { #expect(Int(w.adAdgroup[ad]) == g) }
            }
        }
        // Without the key every ad is its own adgroup and nothing is reported by adgroup.
        let plain = WorldGenerator.generate(try Fixtures.tiny(), replicate: 0)
        #expect(plain.adgroupsAreAds && !plain.adgroupsDeclared && !plain.hasAdgroupBudgets)
        #expect(plain.adAdgroup == (0..<Int32(plain.adCountTotal)).map { $0 })
    }

    @Test func badAdgroupSettingsNameTheFieldAndLine() throws {
        func issues(_ yaml: String) -> [ScenarioIssue] {
            do { _ = try ScenarioLoader.parse(yaml: yaml); Issue.record("expected a rejection"); return [] } catch {
                guard case .invalid(_, let issues) = error else { return [] }
                return issues
            }
        }
        let tooMany = issues("tiers:\n  large:\n    adsPerAdvertiser: 2\n    adgroupsPerAdvertiser: 3\n")
        #expect(tooMany.contains { $0.path == "tiers.large.adgroupsPerAdvertiser" && $0.line == 4 && $0.message.contains("at least one ad") })
        let count = issues("tiers:\n  large:\n    adsPerAdvertiser: 4\n    adgroupsPerAdvertiser: 2\n    adgroupBudgetShares: [1, 2, 3]\n")
        #expect(count.contains { $0.path == "tiers.large.adgroupBudgetShares" && $0.line == 5 && $0.message.contains("3 shares for 2 adgroups") })
        let negative = issues("tiers:\n  large:\n    adsPerAdvertiser: 4\n    adgroupsPerAdvertiser: 2\n    adgroupBudgetShares: [1, -2]\n")
        #expect(negative.contains { $0.path == "tiers.large.adgroupBudgetShares[1]" && $0.line == 5 })
        #expect(negative.count == 1, "one problem, reported once: \(negative)")
        let orphan = issues("tiers:\n  large:\n    adsPerAdvertiser: 2\n    adgroupBudgetShares: [1, 1]\n")
        #expect(orphan.contains { $0.path == "tiers.large.adgroupBudgetShares" && $0.line == 4 && $0.message.contains("needs adgroupsPerAdvertiser") })
    }

    /// An adgroup's ads bid at most what the adgroup has left, so no adgroup ever spends past its
    /// own cap (the price is at most the bid); with shares 3 : 1 and budgets that bind, adgroups
    /// (the quarter shares among them) spend out their caps.
    @Test func adgroupCapsHold() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.yaml().replacingOccurrences(of: "requestsPerDay: 3000", with: "requestsPerDay: 12000"),
                                                file: "adgroups.yaml")
        let world = WorldGenerator.generate(scenario, replicate: 0)
        var simulation = MarketSimulation<GlobalRanker, NoExplorer, NoFairnessControl, TunedKernel>(
            scenario: scenario, world: world, policyIndex: 0, replicate: 0,
            ranker: GlobalRanker(world: world, settings: scenario.policies[0].ranker, cohorts: 2, seed: 1), explorer: NoExplorer(), fairness: NoFairnessControl())
        let result = simulation.run()
        let caps = try #require(simulation.ledger.adgroups)
        var spentOut = 0, smallShareSpentOut = 0
        for g in 0..<world.adgroupCountTotal {
            #expect(caps.spent[g] <= caps.cap[g] * (1 + 1e-12), "adgroup \(g): spent \(caps.spent[g]) of \(caps.cap[g])")
            if caps.cap[g] > 0 && caps.spent[g] > 0.98 * caps.cap[g] {
                spentOut += 1
                if world.adgroupBudgetShare[g] == 0.25 { smallShareSpentOut += 1 }
            }
        }
        #expect(spentOut > 0 && smallShareSpentOut > 0, "caps bind: \(spentOut) adgroups spent out, \(smallShareSpentOut) with a quarter share")
        let a = try #require(result.metrics.adgroups)
        for t in 0..<2 { #expect(a.spend[t] <= a.budget[t] * (1 + 1e-12)) }
        // Every impression, click and conversion is counted once, under its adgroup's target.
        #expect(a.impressions.reduce(0, +) == result.metrics.impressions.reduce(0, +))
        #expect(a.clicks.reduce(0, +) == result.metrics.clicks.reduce(0, +))
        let spend: Double = result.metrics.spend.reduce(0, +), adgroupSpend: Double = a.spend.reduce(0, +)
        #expect(abs(adgroupSpend - spend) <= 1e-9 * spend)
        let targeting: [Double] = (0..<2).map { t in Double(world.adgroupTarget.filter { Int($0) == t }.count) }
        #expect(a.adgroups == targeting)
    }

    /// The specialised adaptation, whose rows now come from several ads, still equals the generic
    /// learner bit for bit; the ads of an adgroup are served one block.
    @Test(arguments: ["{kind: meta, coldStart: meta-embedding, metaIterations: 20}", "{kind: meta, cohortBlocks: true, metaIterations: 20}",
                      "{kind: finetune, personalBlock: bias}"])
    func adgroupBlocksMatchTheGenericLearner(ranker: String) throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.yaml(policies: "  - {name: m, ranker: \(ranker)}\n"), file: "adgroups.yaml")
        let (world, ranker, now) = FastPathTests.runPersonalBlockRanker(scenario)
        let personal = ranker.personal, base = ranker.base, d = world.dimension
        var adapted = 0
        for g in 0..<world.adgroupCountTotal where world.entryTime[Int(world.adgroupAdvertiser[g])] <= now {
            personal.adapt(adgroup: g, world: world, base: base, now: now)
            let reference = personal.referenceBlock(adgroup: g, world: world, base: base, now: now)
            for ad in Int(world.adgroupFirstAd[g])..<Int(world.adgroupFirstAd[g] + world.adgroupAdCount[g]) {
                #expect(personal.adgroup(of: ad) == g)
                let served = personal.servedBlock(ad: ad, world: world)
                #expect(served.bias == reference.last!, "adgroup \(g), ad \(ad)")
                for k in 0..<d { #expect(served.q[k] == (reference.count > 1 ? reference[k] * world.adFeatures[ad * d + k] : 0)) }
            }
            if reference.last! != 0 { adapted += 1 }
        }
        #expect(adapted > world.adgroupCountTotal / 2, "most adgroups have data to adapt on: \(adapted)")
    }

    /// The footprint the report states per ad and per adgroup is what the blocks allocate.
    @Test func footprintPerAdgroupMatchesTheAllocation() throws {
        func world(small: Int) throws -> (Scenario, World) {
            let s = try ScenarioLoader.parse(yaml: Self.yaml(policies: "  - {name: m, ranker: {kind: meta, supportSize: 12, querySize: 7}}\n")
                .replacingOccurrences(of: "count: 20\n", with: "count: \(small)\n"), file: "adgroups.yaml")
            return (s, WorldGenerator.generate(s, replicate: 0))
        }
        let (scenario, a) = try world(small: 10), (_, b) = try world(small: 70)
        let settings = scenario.policies[0].ranker
        let small = PersonalBlocks(world: a, ranker: settings, cohorts: 2, tuned: true)
        let large = PersonalBlocks(world: b, ranker: settings, cohorts: 2, tuned: true)
        let stated = RankerFootprint(settings: settings.meta, dimension: a.dimension, ads: [Double(a.adCountTotal)],
                                     adgroups: [Double(a.adgroupCountTotal)], cohorts: 2)
        let perAdgroup = try #require(stated.perAdgroup)
        let dAds = b.adCountTotal - a.adCountTotal, dGroups = b.adgroupCountTotal - a.adgroupCountTotal
        #expect(dAds == 2 * dGroups && dGroups == 60)
        #expect(large.bytes - small.bytes == dAds * stated.bytesPerAd + dGroups * perAdgroup.bytes,
                "allocated \(large.bytes - small.bytes) for \(dAds) ads in \(dGroups) adgroups")
        #expect(perAdgroup.personalParameters == a.dimension + 1 && stated.personalParametersPerAd == 0)
    }
}

/// Personal conversion blocks on adgroups of several ads (issue 19, item 3).
@Suite("Adgroups: personal conversion blocks")
struct AdgroupConversionBlockTests {
    /// After labelled clicks arrive at run time, the served rates (position tables, q dotted with
    /// the user) are still the model's, bit for bit, for every ad of every adgroup; and the ads of
    /// an adgroup share its block.
    @Test func servedRatesFollowTheBlocksAfterAnUpdate() throws {
        var scenario = try ScenarioLoader.parse(yaml: AdgroupTests.yaml(), file: "adgroups.yaml")
        scenario.policies[0].ranker.kind = .meta
        scenario.policies[0].ranker.conversionModel = .learned
        scenario.policies[0].ranker.meta.conversionBlocks = true
        let world = WorldGenerator.generate(scenario, replicate: 0)
        let model = ConversionModel(world: world, settings: scenario.policies[0].ranker, cohorts: 2, seed: 3)
        let blocks = try #require(model.blocks)
        let before = (0..<world.adgroupCountTotal).map { blocks.bias(adgroup: $0) }
        let s = RandomStream(seed: 5)
        var user = [Double](repeating: 0, count: world.dimension)
        for i in 0..<3000 {
            for k in 0..<world.dimension { user[k] = s.gaussian() }
            let ad = s.integer(below: world.initialAdCount)
            user.withUnsafeBufferPointer {
                model.recordClick(ad: ad, user: $0, cohort: i % 2, time: Double(i), conversionTime: s.uniform() < 0.3 ? Double(i) + 60 : .infinity, value: 10)
            }
        }
        model.update(now: 25 * 3600, world: world, seed: 9)
        #expect(model.waiting == 0)
        #expect((0..<world.adgroupCountTotal).contains { blocks.bias(adgroup: $0) != before[$0] }, "the update moved the blocks")
        LearnedConversionTests.expectServedRatesAreTheModels(model, world: world, settings: scenario.policies[0].ranker, cohort: 1)
    }

    @Test func conversionBlocksNeedALearnedConversionModelAndPersonalBlocks() throws {
        func problems(_ ranker: String) -> [ScenarioIssue] {
            do { _ = try ScenarioLoader.parse(yaml: "policies:\n  - {name: p, ranker: \(ranker)}\n"); return [] } catch {
                guard case .invalid(_, let issues) = error else { return [] }
                return issues
            }
        }
        #expect(problems("{kind: meta, conversionBlocks: true}").contains { $0.path == "policies[0].ranker.conversionBlocks" && $0.message.contains("conversionModel: learned") })
        #expect(problems("{kind: global, conversionModel: learned, conversionBlocks: true}").contains { $0.message.contains("meta or finetune") })
        #expect(problems("{kind: finetune, conversionModel: learned, conversionBlocks: true}").isEmpty)
    }
}
