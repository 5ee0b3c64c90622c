using System.Text.RegularExpressions;
using TorchSharp.Modules;

namespace MuonSharp.Optimizers;

/// <summary>
/// How Muon reads one parameter tensor as the matrices it orthogonalizes. The default,
/// <see cref="Flattened"/>, is one matrix [out, in·kh·kw] (a conv filter's trailing dimensions become
/// columns). The others, which fused and stacked weights need:
/// <list type="bullet">
/// <item><see cref="Batch"/>: leading dimensions index separate matrices — an expert stack
/// [experts, out, in] is <c>experts</c> matrices [out, in], not one [experts, out·in] (optax's
/// <c>MuonDimensionNumbers</c>, whose unnamed axes are batch axes; microsoft/dion's <c>flatten=False</c>).</item>
/// <item><see cref="Split"/>: row blocks of a fused weight orthogonalized separately — a fused qkv
/// [3d, d] as three [d, d], also of unequal sizes under grouped-query attention (dion's <c>split_sizes</c>).</item>
/// <item><see cref="Heads"/>: the rows split into equal per-head blocks [head_dim, d] (dion's and
/// modded-nanogpt's <c>num_heads</c>).</item>
/// </list>
/// Each matrix gets its own shape scale (from its own rows and columns) and, with <c>normuon</c>, its own
/// norm; the second moment keeps one entry per row of every matrix.
/// </summary>
public sealed class MatrixLayout
{
    private MatrixLayout(int batchDims, long[]? splitSizes, int numHeads, string description)
    {
        BatchDims = batchDims;
        SplitSizes = splitSizes;
        NumHeads = numHeads;
        _description = description;
    }

    private readonly string _description;

    /// <summary>One matrix [out, product of the other dimensions]: Muon's default.</summary>
    public static MatrixLayout Flattened { get; } = new(0, null, 1, "flattened");

    /// <summary>The first <paramref name="batchDims"/> dimensions index separate matrices [next dimension, product of the rest].</summary>
    /// <param name="batchDims">How many leading dimensions are batch dimensions, at least 1.</param>
    public static MatrixLayout Batch(int batchDims = 1) =>
        batchDims >= 1 ? new(batchDims, null, 1, $"batch of matrices over the first {batchDims} dimension{(batchDims > 1 ? "s" : "")}")
            : throw new ArgumentOutOfRangeException(nameof(batchDims), batchDims, $"Invalid batchDims: {batchDims}. Accepted: an integer ≥ 1.");

    /// <summary>Row blocks of these sizes, in order, orthogonalized separately (they must add up to the first dimension).</summary>
    /// <param name="splitSizes">Rows of each block, each at least 1; at least two blocks.</param>
    public static MatrixLayout Split(params long[] splitSizes)
    {
        ArgumentNullException.ThrowIfNull(splitSizes);
        if (splitSizes.Length < 2 || splitSizes.Any(s => s < 1))
            throw new ArgumentOutOfRangeException(nameof(splitSizes), $"[{string.Join(", ", splitSizes)}]",
                $"Invalid splitSizes: [{string.Join(", ", splitSizes)}]. Accepted: two or more block sizes, each ≥ 1.");
        return new(0, splitSizes.ToArray(), 1, $"split into rows [{string.Join(", ", splitSizes)}]");
    }

    /// <summary>The rows split into <paramref name="numHeads"/> equal blocks, one per attention head.</summary>
    /// <param name="numHeads">Number of heads, at least 2; it must divide the first dimension.</param>
    public static MatrixLayout Heads(int numHeads) =>
        numHeads >= 2 ? new(0, null, numHeads, $"{numHeads} heads")
            : throw new ArgumentOutOfRangeException(nameof(numHeads), numHeads, $"Invalid numHeads: {numHeads}. Accepted: an integer ≥ 2.");

    /// <summary>Leading dimensions that index separate matrices (0: none).</summary>
    public int BatchDims { get; }

    /// <summary>Row blocks orthogonalized separately, or null.</summary>
    public IReadOnlyList<long>? SplitSizes { get; }

    /// <summary>Equal row blocks, one per head (1: none).</summary>
    public int NumHeads { get; }

    /// <summary>Whether this is the default one-matrix layout.</summary>
    public bool IsFlattened => BatchDims == 0 && SplitSizes is null && NumHeads == 1;

    /// <inheritdoc />
    public override string ToString() => _description;

    /// <summary>Why a parameter of <paramref name="shape"/> cannot be read this way, or null when it can.</summary>
    internal string? Refusal(long[] shape)
    {
        if (shape.Length < BatchDims + 2) return $"{shape.Length}-D; {this} needs at least {BatchDims + 2} dimensions";
        if (SplitSizes is not null && SplitSizes.Sum() != shape[0]) return $"the blocks [{string.Join(", ", SplitSizes)}] add up to {SplitSizes.Sum()} rows, not {shape[0]}";
        if (shape[0] % NumHeads != 0) return $"{shape[0]} rows do not split into {NumHeads} equal heads";
        return null;
    }

    /// <summary>The tensor as [batch, rows, cols]: batch the product of the batch dimensions (1 without), rows the next dimension, cols the rest.</summary>
    internal (long Batch, long Rows, long Cols) Shape3(long[] shape)
    {
        long batch = shape.Take(BatchDims).Aggregate(1L, (a, b) => a * b);
        return (batch, shape[BatchDims], shape.Skip(BatchDims + 1).Aggregate(1L, (a, b) => a * b));
    }

    /// <summary>Row blocks in order: each covers <c>Rows</c> rows of [batch, rows, cols] and holds <c>Matrices</c> matrices of Rows/Matrices rows.</summary>
    internal IEnumerable<(long Offset, long Rows, long Matrices)> RowBlocks(long rows)
    {
        if (SplitSizes is null)
        {
            yield return (0, rows, NumHeads);
            yield break;
        }
        long offset = 0;
        foreach (long size in SplitSizes)
        {
            yield return (offset, size, 1);
            offset += size;
        }
    }
}

/// <summary>
/// Which parameters Muon reads with a <see cref="MatrixLayout"/> other than the default, by exact name
/// or glob (<c>*</c> matches within and across dots, as in <see cref="ParameterRouting"/>). A pattern that
/// matches no parameter, a parameter two patterns give different layouts, and a layout that does not fit
/// its parameter's shape are errors naming them.
/// </summary>
public sealed class MatrixLayouts
{
    private readonly List<(string Pattern, MatrixLayout Layout)> _rules = new();

    /// <summary>Reads the parameters whose names match <paramref name="pattern"/> with <paramref name="layout"/>.</summary>
    /// <param name="pattern">An exact name or a glob such as <c>blocks.*.attn.qkv.weight</c>.</param>
    /// <param name="layout">The layout.</param>
    public MatrixLayouts For(string pattern, MatrixLayout layout)
    {
        if (string.IsNullOrWhiteSpace(pattern)) throw new ArgumentException("A layout pattern is empty; give a parameter name or a glob like 'blocks.*.qkv.weight'.", nameof(pattern));
        ArgumentNullException.ThrowIfNull(layout);
        _rules.Add((pattern, layout));
        return this;
    }

    /// <summary>The layout of every named parameter a rule matches, by handle; throws listing every problem.</summary>
    internal Dictionary<IntPtr, MatrixLayout> Resolve(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        var list = parameters.ToList();
        var resolved = new Dictionary<IntPtr, MatrixLayout>();
        var used = new HashSet<string>();
        var problems = new List<string>();
        foreach (var (name, parameter) in list)
        {
            var matches = _rules.Where(r => Matches(r.Pattern, name)).ToList();
            foreach (var m in matches) used.Add(m.Pattern);
            if (matches.Count == 0) continue;
            if (matches.Select(m => m.Layout).Distinct().Count() > 1)
            {
                problems.Add($"'{name}' is given two layouts: {string.Join(" and ", matches.Select(m => $"'{m.Pattern}' → {m.Layout}"))}");
                continue;
            }
            var layout = matches[0].Layout;
            if (layout.Refusal(parameter.shape) is { } why) problems.Add($"'{name}' with shape [{string.Join(", ", parameter.shape)}] cannot be read as {layout}: {why}");
            else resolved[parameter.Handle] = layout;
        }
        var unused = _rules.Select(r => r.Pattern).Distinct().Where(p => !used.Contains(p)).ToList();
        if (unused.Count > 0)
            problems.Add($"layout pattern(s) {string.Join(", ", unused.Select(p => $"'{p}'"))} match no Muon parameter (known: {string.Join(", ", list.Take(12).Select(p => p.Name))}{(list.Count > 12 ? ", …" : "")})");
        if (problems.Count > 0) throw new ArgumentException("Cannot apply the matrix layouts:\n  " + string.Join("\n  ", problems), "layouts");
        return resolved;
    }

    /// <summary>Exact name, or a glob where <c>*</c> matches any characters.</summary>
    internal static bool Matches(string pattern, string name) =>
        pattern.Contains('*')
            ? Regex.IsMatch(name, "^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$")
            : pattern == name;
}
