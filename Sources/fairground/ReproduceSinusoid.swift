import ArgumentParser
import Foundation
import Learning
import Reporting

struct ReproduceSinusoid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sinusoid",
        abstract: "The MAML sinusoid benchmark (Finn et al. 2017): pretrained, MAML, first-order MAML, Meta-SGD and Reptile.",
        discussion: """
            1-40-40-1 ReLU network, K support and K query points, meta-batch 25, inner SGD α = 0.01, outer Adam 1e-3, \
            70,000 meta-iterations, 600 test tasks scored on 100 points each after 0, 1 and 10 steps, for K = 5, 10, 20.
            Checks: MAML ≈ 3.0 before adaptation, MAML 1-step at K = 10 ≤ 0.6, Meta-SGD below MAML at 1 step, pretrained \
            1-step ≥ 2.0, MAML below pretrained, and every 1-step result's 95% interval reaching its published band. The full \
            protocol trains 15 models and takes about 45 minutes on 2 cores; --quick (K = 10, 1,500 iterations, 200 test \
            tasks) checks only pretrained ≥ 2.0 and MAML below pretrained. --method and --k train a subset: every check whose \
            models were trained is made, the bands included. --iterations and --train-k change the training (for \
            exploring): the bands are then shown, not checked.
            """)

    @Flag(help: "K = 10 only, 1,500 meta-iterations, 200 test tasks (for tests).")
    var quick = false

    @Option(help: "Meta-iterations (overrides the protocol's; for exploring, not for the checks).")
    var iterations: Int?

    @Option(help: "Parallel workers (default: all cores). Results do not depend on it.")
    var jobs: Int?

    @Option(help: "Seed of the training and test tasks.")
    var seed: UInt64 = 2017

    @Option(name: .customLong("method"), help: ArgumentHelp("Train only this method (repeatable; the checks apply to what is trained).", valueName: "name"))
    var methods: [String] = []

    @Option(name: .customLong("train-k"), help: ArgumentHelp("Train every model on tasks of this many points (default: the tested K; for exploring).", valueName: "K"))
    var trainK: Int?

    @Option(name: .customLong("k"), help: ArgumentHelp("Train only this K (repeatable; the checks apply to what is trained).", valueName: "K"))
    var ks: [Int] = []

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        for m in methods where MetaMethod(rawValue: m) == nil {
            throw ValidationError("--method '\(m)' is not one of \(MetaMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for k in ks + [trainK].compactMap({ $0 }) where !(1...1000).contains(k) { throw ValidationError("--k and --train-k must be between 1 and 1000") }
    }

    func run() throws {
        var setup = quick ? SinusoidReproduction.Setup.quick : .full
        if let iterations { setup.iterations = iterations }
        // Repeated values train once; the protocol's order is kept.
        if !methods.isEmpty { setup.methods = MetaMethod.allCases.filter { methods.contains($0.rawValue) } }
        if !ks.isEmpty { setup.ks = Array(Set(ks)).sorted() }
        setup.trainK = trainK
        // The protocol's training (iterations, task size) on all or some of its models: every check
        // whose models were trained is made, the published bands included.
        let protocolTraining = !quick && iterations == nil && trainK == nil
        let subset = !methods.isEmpty || !ks.isEmpty
        let results = SinusoidReproduction.run(setup, seed: seed, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                               progress: json ? nil : Terminal.progress("models trained", quiet: false))
        let failures = SinusoidReproduction.failures(results, full: protocolTraining)
        if json {
            struct Output: Encodable { var results: [SinusoidReproduction.Result]; var passed: Bool; var failures: [String] }
            print(try MetricsJSON.encode(Output(results: results, passed: failures.isEmpty, failures: failures)), terminator: "")
        } else {
            print("Sinusoid regression, mean test MSE (95% CI over \(setup.testTasks) tasks), \(setup.iterations) meta-iterations")
            print("predicting 0: \(SinusoidReproduction.zeroPredictorMSE); best task-agnostic predictor: \(SinusoidReproduction.bestAgnosticMSE)")
            print("K    method       0 steps                 1 step                  10 steps                published 1-step")
            for k in setup.ks {
                for method in setup.methods {
                    let rows = results.filter { $0.k == k && $0.method == method.rawValue }.sorted { $0.steps < $1.steps }
                    var line = String(format: "%-4d %-12@", k, method.rawValue)
                    for r in rows {
                        // A learned step size repeated ten times can overshoot without bound (Meta-SGD).
                        line += !r.diverged ? String(format: " %6.3f (%6.3f–%6.3f)", r.mse, r.ci95[0], r.ci95[1])
                            : " diverged              "
                    }
                    // Each band with its verdict: checked on the protocol's training, shown only otherwise.
                    if let band = SinusoidReproduction.referenceBand(method: method, k: k) {
                        line += String(format: "   %.2f–%.2f", band.lowerBound, band.upperBound)
                        if let one = rows.first(where: { $0.steps == 1 }) {
                            line += !protocolTraining ? " (not checked)" : SinusoidReproduction.reaches(one, band) ? " reached" : " MISSED"
                        }
                    }
                    print(line)
                }
            }
            if !protocolTraining {
                print("not the protocol's training (--quick, --iterations or --train-k): the published bands are shown, not checked")
            } else if subset {
                print("a subset of the protocol (--method/--k): the checks comparing methods or needing MAML are made only where both were trained")
            }
            print(failures.isEmpty ? "all checks pass" : failures.map { "FAIL: " + $0 }.joined(separator: "\n"))
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
