/// The Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), in the order series take them.
public enum Palette {
    public static let colors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    /// Colour of the i-th series (cycling).
    public static func color(_ i: Int) -> String { colors[i % colors.count] }
}
