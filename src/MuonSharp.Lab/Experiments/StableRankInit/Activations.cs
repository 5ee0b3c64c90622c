using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.StableRankInit;

/// <summary>An activation and its population stable-rank constant for Gaussian pre-activations.</summary>
/// <param name="Name">Config / metrics name: abs, relu, relu2, gelu.</param>
/// <param name="Label">Readable name for plots.</param>
/// <param name="Apply">σ applied elementwise (a new tensor).</param>
/// <param name="PopulationConstant">E[σ(z)²] / (E[σ(z)])², z ~ N(0, 1): the limit of st(σ(WX)) (see <see cref="Activations"/>).</param>
/// <param name="ConstantFromReadme">True for the constants the papers README states (|t|, ReLU, ReLU²); false for GELU (derived here).</param>
internal sealed record Activation(string Name, string Label, Func<Tensor, Tensor> Apply, double PopulationConstant, bool ConstantFromReadme);

/// <summary>
/// The activations of 004 §5 and their population constants.
/// </summary>
/// <remarks>
/// Why E[σ²]/(Eσ)² (004 §5.1; the formula was lost in extraction, rebuilt from the README's values): with
/// W ∈ R^{w×d} Gaussian and Gaussian inputs, each entry of A = σ(WX) has a pre-activation ≈ N(0, 1), so
/// A ≈ μ·11ᵀ + (zero-mean part) with μ = E σ(z). Then ‖A‖²_F ≈ w·n·E[σ(z)²] while the common mean alone
/// gives ‖A‖²_op ≥ w·n·μ², so st(A) = ‖A‖²_F/‖A‖²_op tends to at most E[σ²]/μ², whatever the width.
/// Check against the README: |t|: 1/(2/π) = π/2; ReLU: (1/2)/(1/2π) = π; ReLU²: (3/2)/(1/2)² = 6.
/// GELU(t) = t·Φ(t) (exact, TorchSharp's default), derived here with Stein's lemma E[z g(z)] = E[g′(z)]:
/// μ = E[zΦ(z)] = E[φ(z)] = 1/(2√π); E[z²Φ²] = E[Φ²] + 2E[zΦφ] = 1/3 + 2/(4π√3), because
/// E[Φ(z)²] = P(z is the largest of three iid normals) = 1/3 and φ² = N(0, ½)/(2√π) gives
/// E[zΦφ] = (1/(2√π))·(½)·E[φ(Y)], Y ~ N(0, ½), = 1/(4π√3). So the GELU constant is
/// 4π(1/3 + 1/(2π√3)) = 4π/3 + 2/√3 ≈ 5.343 (checked by quadrature in the tests). The README gives no
/// GELU value, so its claim is judged on boundedness alone.
/// </remarks>
internal static class Activations
{
    /// <summary>|t| → π/2 (papers README, 004 §5).</summary>
    public const double AbsConstant = Math.PI / 2;

    /// <summary>ReLU → π (papers README, 004 §5).</summary>
    public const double ReluConstant = Math.PI;

    /// <summary>Squared ReLU → 6 (papers README, 004 §5 and Fig. 1).</summary>
    public const double SquaredReluConstant = 6;

    /// <summary>GELU → 4π/3 + 2/√3 ≈ 5.343: derived in the remarks above, not from the paper.</summary>
    public static readonly double GeluConstant = 4 * Math.PI / 3 + 2 / Math.Sqrt(3);

    /// <summary>All four, in the order of the config's default.</summary>
    public static IReadOnlyList<Activation> All { get; } = new[]
    {
        new Activation("abs", "|t|", t => t.abs(), AbsConstant, true),
        new Activation("relu", "ReLU", t => t.relu(), ReluConstant, true),
        new Activation("relu2", "squared ReLU", SquaredRelu, SquaredReluConstant, true),
        new Activation("gelu", "GELU", t => nn.functional.gelu(t), GeluConstant, false),
    };

    private static Tensor SquaredRelu(Tensor t)
    {
        using var s = new HeldScalars();
        return t.relu().pow(s[2]);   // what square() runs, with its Scalar held
    }

    /// <summary>The activation called <paramref name="name"/>.</summary>
    /// <param name="name">abs, relu, relu2 or gelu.</param>
    public static Activation Get(string name) =>
        All.FirstOrDefault(a => a.Name == name) ?? throw new ArgumentException($"Unknown activation '{name}'; expected {string.Join(", ", All.Select(a => a.Name))}.", nameof(name));

    /// <summary>
    /// E[σ(z)²] / (E σ(z))² for z ~ N(0, 1) by composite Simpson quadrature on [−12, 12] in float64 (the
    /// Gaussian mass beyond is below 1e-32), applying the same tensor function the experiment uses: an
    /// independent check of the closed-form constants.
    /// </summary>
    /// <param name="activation">The activation.</param>
    public static double PopulationRatioByQuadrature(Activation activation)
    {
        const double half = 12;
        const int intervals = 24_000; // even, for Simpson
        using var scope = NewDisposeScope();
        var z = linspace(-half, half, intervals + 1, ScalarType.Float64);
        var simpson = ones(intervals + 1, ScalarType.Float64);
        simpson[TensorIndex.Slice(1, intervals, 2)] = tensor(4.0, ScalarType.Float64);
        simpson[TensorIndex.Slice(2, intervals, 2)] = tensor(2.0, ScalarType.Float64);
        using var s = new HeldScalars();
        var weights = simpson.mul(s[2 * half / intervals / 3]).mul(z.pow(s[2]).neg().div(s[2]).exp()).div(s[Math.Sqrt(2 * Math.PI)]);   // Simpson · e^{−z²/2} / √(2π)
        var values = activation.Apply(z);
        double first = (weights * values).sum().item<double>();
        double second = (weights * values.pow(s[2])).sum().item<double>();
        return second / (first * first);
    }
}
