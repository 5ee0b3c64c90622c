using BenchmarkDotNet.Running;

namespace MuonSharp.Benchmarks;

/// <summary>Which FLOP count a benchmark's work has; read by the throughput columns.</summary>
public enum FlopModel
{
    /// <summary>No FLOP count (the column stays empty).</summary>
    None,
    /// <summary>C[m, n] = A[m, m]·B[m, n] for a Size of m×n: 2·m·m·n (a GEMM m×k by k×n is 2mnk).</summary>
    Matmul,
    /// <summary>
    /// Newton–Schulz on an m×n matrix (m ≤ n after transposing): steps·(4m²n + 2m³) — per step
    /// XXᵀ (2m²n), A·A (2m³) and P·X (2m²n) (papers README, "Muon reference").
    /// </summary>
    NewtonSchulz,
    /// <summary>
    /// The exact polar factor by SVD: about 6mn² + 20n³ for U₁, Σ, V of an m×n matrix, m ≥ n
    /// (R-SVD, Golub &amp; Van Loan, Matrix Computations, 4th ed., §8.6.3, Fig. 8.6.1), plus 2mn² for U₁·Vᵀ.
    /// An operation count for orientation, not what LAPACK's divide-and-conquer driver executes.
    /// </summary>
    PolarSvd,
    /// <summary>
    /// One Muon step's orthogonalization work on the benchmark's parameter set (its "Model"
    /// parameter, see <see cref="ParameterSets"/>): over its Muon matrices, <see cref="GramNewtonSchulz"/>
    /// for the shapes Muon runs by Gram Newton–Schulz and <see cref="NewtonSchulz"/> for the rest.
    /// </summary>
    MuonStep,
    /// <summary>
    /// Gram Newton–Schulz on an m×n matrix (m ≤ n): 4m²n + (8·steps − 6)·m³ — S = XXᵀ and the final
    /// F·X (2m²n each); per step R² (2m³), and from the second step P·Q (2m³), from the first to the
    /// second-to-last Q·S·Qᵀ (4m³).
    /// </summary>
    GramNewtonSchulz,
}

/// <summary>Marks a benchmark with its FLOP model and compute dtype, for the throughput columns.</summary>
/// <param name="model">How to count its floating-point operations.</param>
/// <param name="dtype">Compute dtype as shown in tables ("bf16", "f32", "f64"); matmul references are matched on it.</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FlopsAttribute(FlopModel model, string dtype) : Attribute
{
    /// <summary>How to count the benchmark's floating-point operations.</summary>
    public FlopModel Model { get; } = model;

    /// <summary>The compute dtype.</summary>
    public string Dtype { get; } = dtype;
}

/// <summary>FLOP counts of the benchmarked kernels.</summary>
public static class Flops
{
    /// <summary>Newton–Schulz steps Muon takes (Jordan et al. 2024), used by every count here.</summary>
    public const int Steps = Orthogonalize.DefaultSteps;

    /// <summary>2·m·m·n: C[m, n] = A[m, m]·B[m, n].</summary>
    /// <param name="m">Rows (and the inner dimension).</param>
    /// <param name="n">Columns.</param>
    public static double Matmul(long m, long n) => 2.0 * m * m * n;

    /// <summary>steps·(4m²n + 2m³) for an m×n matrix with m ≤ n (either orientation may be given).</summary>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="steps">Iterations.</param>
    public static double NewtonSchulz(long rows, long cols, int steps = Steps)
    {
        double m = Math.Min(rows, cols), n = Math.Max(rows, cols);
        return steps * (4 * m * m * n + 2 * m * m * m);
    }

    /// <summary>4m²n + (8·steps − 6)·m³ for an m×n matrix with m ≤ n (either orientation may be given).</summary>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="steps">Iterations.</param>
    public static double GramNewtonSchulz(long rows, long cols, int steps = Steps)
    {
        double m = Math.Min(rows, cols), n = Math.Max(rows, cols);
        return 4 * m * m * n + (8.0 * steps - 6) * m * m * m;
    }

    /// <summary>Whether Muon orthogonalizes a float32 matrix of this shape by Gram Newton–Schulz (with its default ns_dtype).</summary>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    public static bool UsesGram(long rows, long cols) => Orthogonalize.PrefersGram(rows, cols, TorchSharp.torch.ScalarType.BFloat16);

    /// <summary>6mn² + 20n³ + 2mn² with m ≥ n: R-SVD of Golub &amp; Van Loan plus the product U₁·Vᵀ.</summary>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    public static double PolarSvd(long rows, long cols)
    {
        double m = Math.Max(rows, cols), n = Math.Min(rows, cols);
        return 6 * m * n * n + 20 * n * n * n + 2 * m * n * n;
    }

    /// <summary>Orthogonalization FLOPs of one Muon step on a parameter set's Muon matrices, by the algorithm each runs.</summary>
    /// <param name="set">A <see cref="ParameterSets"/> name.</param>
    public static double MuonStep(string set) =>
        ParameterSets.MuonShapes(set).Sum(s => UsesGram(s[0], s[1]) ? GramNewtonSchulz(s[0], s[1]) : NewtonSchulz(s[0], s[1]));

    /// <summary>The FLOP count of one operation of <paramref name="benchmarkCase"/>, or null without a model.</summary>
    /// <param name="benchmarkCase">A benchmark with a <see cref="FlopsAttribute"/> and, for size-dependent models, a "Size" parameter "m×n".</param>
    public static double? Of(BenchmarkCase benchmarkCase)
    {
        var attribute = AttributeOf(benchmarkCase);
        if (attribute is null) return null;
        if (attribute.Model == FlopModel.MuonStep)
            return benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Model")?.Value is string set ? MuonStep(set) : null;
        if (attribute.Model == FlopModel.None || SizeOf(benchmarkCase) is not var (rows, cols)) return null;
        return attribute.Model switch
        {
            FlopModel.Matmul => Matmul(rows, cols),
            FlopModel.NewtonSchulz => NewtonSchulz(rows, cols),
            FlopModel.GramNewtonSchulz => GramNewtonSchulz(rows, cols),
            FlopModel.PolarSvd => PolarSvd(rows, cols),
            _ => null,
        };
    }

    /// <summary>The <see cref="FlopsAttribute"/> of the benchmark's method, if any.</summary>
    /// <param name="benchmarkCase">A benchmark.</param>
    public static FlopsAttribute? AttributeOf(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttributes(typeof(FlopsAttribute), false).Cast<FlopsAttribute>().SingleOrDefault();

    /// <summary>The "Size" parameter "m×n" as numbers, or null when there is none.</summary>
    /// <param name="benchmarkCase">A benchmark.</param>
    public static (long Rows, long Cols)? SizeOf(BenchmarkCase benchmarkCase)
    {
        var size = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Size")?.Value as string;
        return size is null ? null : ParseSize(size);
    }

    /// <summary>Parses "1024x4096" into (1024, 4096).</summary>
    /// <param name="size">Rows, the letter x, columns.</param>
    public static (long Rows, long Cols) ParseSize(string size)
    {
        var parts = size.Split('x');
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
                long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
