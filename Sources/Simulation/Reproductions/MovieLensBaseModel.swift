import Learning
import Stochastics

/// The frozen base click model of the MovieLens warm-up protocol: a logistic model of "rated 4 or 5".
///
/// logit = b + b_user + b_item + Σ_g (w_g + p_user,g)·x_g + y_bucket, where x is the movie's genre
/// indicator divided by its genre count, so a user's taste for a genre is a learned user feature.
/// The item ID bias b_item is the embedding Meta-Embedding generates for new movies; everything else
/// is the offset the generator and warm-up see. Fitted by plain SGD with L2 on old movies' ratings.
struct MovieLensBaseModel {
    let genreCount: Int
    var bias = 0.0
    var user: [Double], userGenre: [Double], genre: [Double], year: [Double], item: [Double]

    /// SGD settings, fixed before any result was seen: 10 passes, step 0.05, L2 10⁻³.
    static let epochs = 10, learningRate = 0.05, l2 = 1e-3

    init(_ data: MovieLensData) {
        genreCount = data.genreNames.count
        user = Array(repeating: 0, count: data.userCount)
        userGenre = Array(repeating: 0, count: data.userCount * genreCount)
        genre = Array(repeating: 0, count: genreCount)
        year = Array(repeating: 0, count: MovieLensData.yearBucketNames.count)
        item = Array(repeating: 0, count: data.itemCount)
    }

    /// The logit without the item's ID bias.
    func offset(_ r: MovieLensData.Rating, _ data: MovieLensData) -> Double {
        let u = Int(r.user), i = Int(r.item), gs = data.genres[i]
        var z = bias + user[u] + year[data.yearBucket[i]]
        let x = gs.isEmpty ? 0 : 1 / Double(gs.count)
        for g in gs { z += (genre[g] + userGenre[u * genreCount + g]) * x }
        return z
    }

    /// Fits every weight on `rows` (indices into `data.ratings`), in an order shuffled by `stream` each pass.
    mutating func fit(rows: [Int], _ data: MovieLensData, stream: RandomStream) {
        var order = rows
        let lr = Self.learningRate, l2 = Self.l2
        for _ in 0..<Self.epochs {
            for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, stream.integer(below: k + 1)) }
            for row in order {
                let r = data.ratings[row], u = Int(r.user), i = Int(r.item), gs = data.genres[i]
                let e = logistic(offset(r, data) + item[i]) - (r.positive ? 1 : 0)
                bias -= lr * e
                user[u] -= lr * (e + l2 * user[u])
                item[i] -= lr * (e + l2 * item[i])
                year[data.yearBucket[i]] -= lr * e
                let x = gs.isEmpty ? 0 : 1 / Double(gs.count)
                for g in gs {
                    genre[g] -= lr * (e * x + l2 * genre[g])
                    userGenre[u * genreCount + g] -= lr * (e * x + l2 * userGenre[u * genreCount + g])
                }
            }
        }
    }
}
