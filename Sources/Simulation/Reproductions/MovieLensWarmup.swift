import Learning
import Stochastics

/// `fairground reproduce warmup --movielens DIR`: the Meta-Embedding protocol on MovieLens-100K.
///
/// Movies are the "ads". Movies with at least 60 ratings are old: their ratings fit the base model
/// (`MovieLensBaseModel`) and train the generator (tasks of two disjoint shuffled batches of K = 5
/// ratings, α = 0.1). Movies with 20–59 ratings are new: their ratings in time order (ties by user)
/// give warm-up rounds a, b, c of K = 5 and the rest is their test set. The baseline starts a new
/// movie's ID bias at 0, Meta-Embedding at the generator's output from genres and year bucket;
/// after each round both take one SGD step of the bias. Each seed refits the base model (another
/// shuffle) and the generator; results are means over seeds with 95% intervals.
public enum MovieLensWarmup {
    public struct Setup: Sendable {
        public var seeds: Int
        public var warmupSize = 5
        public var oldThreshold = 60
        public var newRange = 20..<60
        public var generator: WarmupReproduction.GeneratorTraining

        public static let full = Setup(seeds: 10, generator: .full)
        public static let quick = Setup(seeds: 4, generator: .quick)
    }

    /// What the split holds, to be checked against counts made outside the project.
    public struct Split: Sendable, Codable, Equatable {
        public var ratings: Int
        public var users: Int
        public var movies: Int
        public var oldMovies: Int
        public var oldRatings: Int
        public var newMovies: Int
        public var testRatings: Int
        public var testPositives: Int
    }

    struct Partition {
        var old: [Int] = []                 // rating rows of old movies
        var oldByMovie: [[Int]] = []        // per old movie, its rows
        var oldMovies: [Int] = []
        var newMovies: [Int] = []
        var warmup: [[[Int]]] = []          // per new movie, three rounds of rows
        var test: [[Int]] = []              // per new movie
    }

    static func partition(_ data: MovieLensData, _ setup: Setup) -> Partition {
        var byMovie = [[Int]](repeating: [], count: data.itemCount)
        for (row, r) in data.ratings.enumerated() { byMovie[Int(r.item)].append(row) }
        var p = Partition()
        for (movie, rows) in byMovie.enumerated() {
            if rows.count >= setup.oldThreshold {
                p.oldMovies.append(movie); p.oldByMovie.append(rows); p.old += rows
            } else if setup.newRange.contains(rows.count) {
                let ordered = rows.sorted {
                    let a = data.ratings[$0], b = data.ratings[$1]
                    return (a.time, a.user, $0) < (b.time, b.user, $1)
                }
                let k = setup.warmupSize
                p.newMovies.append(movie)
                p.warmup.append((0..<3).map { Array(ordered[($0 * k)..<(($0 + 1) * k)]) })
                p.test.append(Array(ordered[(3 * k)...]))
            }
        }
        return p
    }

    /// The split's counts.
    public static func split(_ data: MovieLensData, _ setup: Setup) -> Split {
        let p = partition(data, setup)
        let test = p.test.joined()
        return Split(ratings: data.ratings.count, users: data.userCount, movies: data.itemCount, oldMovies: p.oldMovies.count,
                     oldRatings: p.old.count, newMovies: p.newMovies.count, testRatings: test.count,
                     testPositives: test.filter { data.ratings[$0].positive }.count)
    }

    /// Runs the protocol over `setup.seeds` seeds on `jobs` threads.
    public static func run(_ data: MovieLensData, _ setup: Setup, seed: UInt64 = 2019, jobs: Int) -> [WarmupReproduction.Stage] {
        let p = partition(data, setup)
        let perSeed = parallelMap(count: setup.seeds, jobs: jobs) { s in replicate(data, p, setup, seed: seed, replicate: s) }
        return WarmupReproduction.summarise(perSeed)
    }

    /// The generator's input for a movie: genre indicators, year-bucket indicator, 1.
    static func features(_ movie: Int, _ data: MovieLensData) -> [Double] {
        var f = [Double](repeating: 0, count: data.genreNames.count + MovieLensData.yearBucketNames.count + 1)
        for g in data.genres[movie] { f[g] = 1 }
        f[data.genreNames.count + data.yearBucket[movie]] = 1
        f[f.count - 1] = 1
        return f
    }

    static func replicate(_ data: MovieLensData, _ p: Partition, _ setup: Setup, seed: UInt64, replicate s: Int) -> WarmupReproduction.Replicate {
        var base = MovieLensBaseModel(data)
        base.fit(rows: p.old, data, stream: RandomStream(seed: deriveSeed(seed, replicate: s, stream: "movielens-base")))
        func batch(_ rows: ArraySlice<Int>) -> Batch {
            EmbeddingGenerator.batch(offsets: rows.map { base.offset(data.ratings[$0], data) },
                                     targets: rows.map { data.ratings[$0].positive ? 1 : 0 })
        }
        let generator = WarmupReproduction.trainGenerator(
            setup.generator, featureWidth: features(0, data).count, taskSize: setup.warmupSize, rows: p.oldByMovie,
            stream: RandomStream(seed: deriveSeed(seed, replicate: s, stream: "movielens-generator")),
            features: { features(p.oldMovies[$0], data) }, batch: { rows, _ in batch(rows) })
        return WarmupReproduction.warmUp(generator, generated: p.newMovies.map { generator.embedding(features($0, data)) },
                                         rounds: p.warmup.map { $0.map { batch($0[...]) } }, tests: p.test.map { batch($0[...]) })
    }
}
