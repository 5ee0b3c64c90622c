using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Routing;

/// <summary>
/// The data of the routing task (<c>000 §4</c>, App. C.2). There are <c>Items</c> underlying items
/// and one target vector per item, the same for every output domain ("we don't transform the
/// output vectors based on output domain"). Every input domain encodes the items with its own
/// random orthonormal codes. Input domain i is trained only with output domains i and i+1 (mod K);
/// the other pairs are held out and measure whether a shared representation was learned.
/// </summary>
public sealed class RoutingTask : IDisposable
{
    /// <summary>Draws the codes and targets of one seed.</summary>
    /// <param name="domains">K.</param>
    /// <param name="items">Items per domain.</param>
    /// <param name="codeDimension">Dimension of codes and targets (≥ items).</param>
    /// <param name="generator">Seeded generator; consumed in a fixed order.</param>
    public RoutingTask(int domains, int items, int codeDimension, Generator generator)
    {
        if (codeDimension < items)
            throw new ArgumentOutOfRangeException(nameof(codeDimension), codeDimension, $"Orthonormal codes for {items} items need a dimension ≥ {items}.");
        Domains = domains;
        Items = items;
        // One orthonormal basis of `items` vectors per input domain, and one for the targets. The
        // paper does not say how the target vectors are drawn (its formula is lost); we draw them the
        // same way as the codes, so every item's target has norm 1 and targets are orthogonal.
        Codes = stack(Enumerable.Range(0, domains).Select(_ => OrthonormalColumns(codeDimension, items, generator)).ToArray()); // [K, d, items]
        Targets = OrthonormalColumns(codeDimension, items, generator);                                                           // [d, items]
        TrainedPairs = TrainedPairsOf(domains);
    }

    /// <summary>K.</summary>
    public int Domains { get; }

    /// <summary>Items per domain.</summary>
    public int Items { get; }

    /// <summary>Input codes: column t of <c>Codes[i]</c> encodes item t in input domain i. Shape [K, d, items], float64.</summary>
    public Tensor Codes { get; }

    /// <summary>Target vectors: column t is item t's target, for every output domain. Shape [d, items], float64.</summary>
    public Tensor Targets { get; }

    /// <summary>The (input domain, output domain) pairs seen in training, in order.</summary>
    public IReadOnlyList<(int Input, int Output)> TrainedPairs { get; }

    /// <summary>
    /// The trained pairs for K domains: (i, i) and (i, i+1 mod K) for every i (<c>000 §4</c>: "we only
    /// see samples where x came from input source i, and y is from either output domain i or i+1").
    /// </summary>
    /// <param name="domains">K ≥ 2.</param>
    public static IReadOnlyList<(int Input, int Output)> TrainedPairsOf(int domains) =>
        Enumerable.Range(0, domains).SelectMany(i => new[] { (i, i), (i, (i + 1) % domains) }).Distinct().ToList();

    /// <summary>Whether (input, output) is trained for K domains.</summary>
    /// <param name="domains">K.</param>
    /// <param name="input">Input domain.</param>
    /// <param name="output">Output domain.</param>
    public static bool IsTrained(int domains, int input, int output) => output == input || output == (input + 1) % domains;

    /// <summary>
    /// One training batch: for every trained pair one item drawn uniformly (<c>000</c> App. C.2), or
    /// every item of every trained pair when <paramref name="allItems"/>.
    /// </summary>
    /// <param name="generator">Seeded generator (unused when <paramref name="allItems"/>).</param>
    /// <param name="allItems">Deterministic full batch instead of one random item per pair.</param>
    /// <returns>Input domains [B], output domains [B] (int64), inputs [B, d] and targets [B, d] (float64).</returns>
    public (Tensor Input, Tensor Output, Tensor X, Tensor Y) Batch(Generator generator, bool allItems)
    {
        var pairs = allItems
            ? TrainedPairs.SelectMany(p => Enumerable.Range(0, Items).Select(t => (p.Input, p.Output, Item: (long)t))).ToList()
            : TrainedPairs.Zip(randint(Items, new long[] { TrainedPairs.Count }, generator: generator).data<long>().ToArray(),
                (p, t) => (p.Input, p.Output, Item: t)).ToList();
        var input = tensor(pairs.Select(p => (long)p.Input).ToArray());
        var output = tensor(pairs.Select(p => (long)p.Output).ToArray());
        var item = tensor(pairs.Select(p => p.Item).ToArray());
        // Codes[input, :, item] for every sample: flatten [K, d, items] → [K·items, d] rows.
        var codeRows = Codes.permute(0, 2, 1).reshape(-1, Codes.shape[1]);                  // [K·items, d]
        using var s = new HeldScalars();
        var x = codeRows.index_select(0, input.mul(s[Items]).add_(item, s[1]));             // [B, d]: row input·items + item
        var y = Targets.t().index_select(0, item);                                          // [B, d]
        return (input, output, x, y);
    }

    /// <summary>
    /// Q of the QR factorization of a seeded Gaussian [rows, cols] matrix: <paramref name="cols"/>
    /// orthonormal columns, uniformly distributed up to signs.
    /// </summary>
    /// <param name="rows">Dimension (≥ cols).</param>
    /// <param name="cols">Number of vectors.</param>
    /// <param name="generator">Seeded generator.</param>
    public static Tensor OrthonormalColumns(int rows, int cols, Generator generator)
    {
        using var scope = NewDisposeScope();
        var (q, _) = linalg.qr(randn(rows, cols, dtype: ScalarType.Float64, generator: generator)); // [rows, cols]
        return q.contiguous().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Codes.Dispose();
        Targets.Dispose();
    }
}
