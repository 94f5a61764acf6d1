import Foundation
import Testing
@testable import Simulation

/// MovieLens-100K as the `recbole` 1.2.1 wheel on PyPI ships it, fetched at test time (never
/// committed): `pip download` into `.build/movielens/`, then the two files taken out of the wheel.
enum MovieLensFiles {
    static let wheel = "recbole==1.2.1"
    static let inside = "recbole/dataset_example/ml-100k/"

    /// The folder holding ml-100k.inter and ml-100k.item, or nil when the index cannot be reached.
    static let directory = Fixtures.fetched("movielens", files: ["ml-100k.inter", "ml-100k.item"], script: """
        import glob, subprocess, sys, zipfile
        d = sys.argv[1]
        subprocess.run([sys.executable, "-m", "pip", "download", "\(wheel)", "--no-deps", "-q", "-d", d], check=True, timeout=300)
        with zipfile.ZipFile(glob.glob(d + "/recbole-1.2.1-*.whl")[0]) as z:
            for name in ("ml-100k.inter", "ml-100k.item"):
                open(d + "/" + name + ".part", "wb").write(z.read("\(inside)" + name))
        """)
}

@Suite("Reproduction: Meta-Embedding warm-up on MovieLens-100K")
struct MovieLensTests {
    static let skipNote: Comment = "MovieLens-100K comes from the recbole 1.2.1 wheel on PyPI (python3 -m pip download); the index could not be reached"

    /// The split, against counts made with a few lines of Python over the same two files:
    /// 100,000 ratings, 943 users, 1,682 movies; 536 movies with ≥ 60 ratings (80,048 ratings),
    /// 403 with 20–59; after each new movie's first 15 ratings in time order, 8,875 test ratings,
    /// 3,647 of them 4 or 5.
    @Test(.enabled(if: MovieLensFiles.directory != nil, skipNote))
    func splitMatchesCountsMadeOutsideTheProject() throws {
        let data = try MovieLensData.load(directory: try #require(MovieLensFiles.directory))
        let split = MovieLensWarmup.split(data, .quick)
        #expect(split == MovieLensWarmup.Split(ratings: 100_000, users: 943, movies: 1_682, oldMovies: 536, oldRatings: 80_048,
                                               newMovies: 403, testRatings: 8_875, testPositives: 3_647))
        #expect(data.genreNames.count == 19)
    }

    /// The CLI run on real data prints the documented JSON; its exit status says whether the
    /// published shape held; the base model carries signal (AUC above 0.6 cold, where chance is 0.5);
    /// and the figures do not depend on the number of workers.
    @Test(.enabled(if: MovieLensFiles.directory != nil, skipNote))
    func reproduceWarmupOnMovieLensReportsItsShape() throws {
        let dir = try #require(MovieLensFiles.directory)
        let r = try Fixtures.runCLI(["reproduce", "warmup", "--movielens", dir, "--quick", "--json", "--jobs", "2"])
        let out = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        let passed = try #require(out["passed"] as? Bool), failures = try #require(out["failures"] as? [String])
        #expect(passed == failures.isEmpty && r.status == (passed ? 0 : 1), "status \(r.status), failures \(failures)")
        #expect((out["split"] as? [String: Any])?["newMovies"] as? Int == 403)
        let stages = try #require(out["stages"] as? [[String: Any]])
        #expect(stages.compactMap { $0["stage"] as? String } == ["cold", "warm-a", "warm-b", "warm-c"])
        for s in stages {
            for side in ["baseline", "metaEmbedding"] {
                let q = try #require(s[side] as? [String: Any])
                let auc = try #require(q["auc"] as? Double), ci = try #require(q["aucCI95"] as? [Double])
                #expect(auc > 0.6 && ci[0] <= auc && auc <= ci[1], "\(side) \(s["stage"] ?? ""): AUC \(auc) \(ci)")
            }
        }
        let one = try Fixtures.runCLI(["reproduce", "warmup", "--movielens", dir, "--quick", "--json", "--jobs", "1"])
        #expect(one.stdout == r.stdout)
    }
}

@Suite("Reproduction: MovieLens files that cannot be read")
struct MovieLensInputTests {
    func folder(inter: String, item: String = "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n1\tA\t1995\tDrama Comedy\n") throws -> URL {
        let f = try Fixtures.temporaryFolder()
        try inter.write(to: f.appendingPathComponent("ml-100k.inter"), atomically: true, encoding: .utf8)
        try item.write(to: f.appendingPathComponent("ml-100k.item"), atomically: true, encoding: .utf8)
        return f
    }

    @Test func aDamagedRatingNamesFileAndLine() throws {
        let f = try folder(inter: "user_id:token\titem_id:token\trating:float\ttimestamp:float\n7\t1\t4\t100\n8\t1\tfour\t101\n")
        let r = try Fixtures.runCLI(["reproduce", "warmup", "--movielens", f.path, "--quick"])
        #expect(r.status == 65)
        #expect(r.stderr.contains("ml-100k.inter line 3: rating 'four' is not a number"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func anUnknownMovieAndAShortLineAreNamed() throws {
        let header = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
        let unknown = try Fixtures.runCLI(["reproduce", "warmup", "--movielens", try folder(inter: header + "7\t2\t4\t100\n").path])
        #expect(unknown.status == 65 && unknown.stderr.contains("line 2: item_id 2 is not in ml-100k.item"), "\(unknown.stderr)")
        let short = try Fixtures.runCLI(["reproduce", "warmup", "--movielens", try folder(inter: header + "7\t1\t4\n").path])
        #expect(short.status == 65 && short.stderr.contains("line 2: 3 fields where the header has 4"), "\(short.stderr)")
    }

    @Test func aMissingFolderIsExit66() throws {
        let r = try Fixtures.runCLI(["reproduce", "warmup", "--movielens", "/nonexistent/ml-100k"])
        #expect(r.status == 66 && r.stderr.contains("ml-100k.item: cannot be read"), "\(r.stderr)")
    }
}
