using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>
/// Gram Newton–Schulz in float32 (<c>Orthogonalize.GramFactor</c>) against float64 Newton–Schulz
/// and the exact polar factor, on the inputs where a Gram iteration can go wrong: Gaussian,
/// momentum-like (a few decaying rank-1 terms plus noise) and ill-conditioned (κ = 10³, 10⁶).
/// Tolerances were fixed before the first run: relative Frobenius distance to float64 Newton–Schulz
/// ≤ 1e-3, and no farther from <c>Polar</c> than float64 Newton–Schulz is, plus 1e-3.
/// </summary>
public sealed class OrthogonalizeGramTests
{
    private const double ToNewtonSchulz = 1e-3;
    private const double ToPolarSlack = 1e-3;

    /// <summary>The kinds of input every fast path is tested on.</summary>
    public enum Input { Gaussian, MomentumLike, Kappa1e3, Kappa1e6 }

    /// <summary>A float32 matrix of the given kind, seeded.</summary>
    internal static Tensor Make(Input input, long rows, long cols, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        long m = Math.Min(rows, cols);
        Tensor g;
        switch (input)
        {
            case Input.Gaussian:
                g = randn(new[] { rows, cols }, ScalarType.Float64, generator: generator);
                break;
            case Input.MomentumLike:
                // What a momentum buffer looks like: a few directions that dominate, decaying, over noise.
                g = randn(new[] { rows, cols }, ScalarType.Float64, generator: generator) * (1e-3 / Math.Sqrt(m));
                for (int i = 0; i < 4; i++)
                {
                    var u = randn(new[] { rows, 1L }, ScalarType.Float64, generator: generator);
                    var v = randn(new[] { 1L, cols }, ScalarType.Float64, generator: generator);
                    g = g + u.matmul(v) * (Math.Pow(0.3, i) / (u.norm().item<double>() * v.norm().item<double>()));
                }
                break;
            default:
                double kappa = input == Input.Kappa1e3 ? 1e3 : 1e6;
                var (left, _) = linalg.qr(randn(new[] { rows, m }, ScalarType.Float64, generator: generator));
                var (right, _) = linalg.qr(randn(new[] { cols, m }, ScalarType.Float64, generator: generator));
                var sigma = logspace(0, -Math.Log10(kappa), m, dtype: ScalarType.Float64);
                g = (left * sigma.unsqueeze(0)).matmul(right.mT);
                break;
        }
        return g.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    private static double RelativeDistance(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var e = expected.to(ScalarType.Float64);
        return ((actual.to(ScalarType.Float64) - e).norm() / e.norm()).item<double>();
    }

    public static TheoryData<Input, long, long> Cases()
    {
        var data = new TheoryData<Input, long, long>();
        foreach (var input in Enum.GetValues<Input>())
        {
            data.Add(input, 128, 9216);   // the MNIST CNN's fc1
            data.Add(input, 64, 288);     // its second conv, flattened
            data.Add(input, 288, 64);     // tall: G·F
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gram_Newton_Schulz_in_float32_matches_float64_Newton_Schulz_and_is_as_close_to_Polar(Input input, long rows, long cols)
    {
        // Jordan's quintic, the only schedule Muon runs on the Gram path. (Polar Express was tried too:
        // 2.1e-3 from float64 on a momentum-like 64×288 input, the Gram matrix's float32 rounding
        // amplified by its steep first polynomial, so Muon keeps Polar Express on the plain path.)
        using var g = Make(input, rows, cols, seed: rows == 128 ? 1 : 2);
        var schedule = Enumerable.Repeat(Orthogonalize.JordanQuintic, 5).ToArray();

        using var gram = Orthogonalize.GramNewtonSchulz(g, schedule);
        using var exact = Orthogonalize.NewtonSchulz(g.to(ScalarType.Float64), schedule, ScalarType.Float64);
        using var polar = Orthogonalize.Polar(g.to(ScalarType.Float64));

        Assert.Equal(g.shape, gram.shape);
        Assert.InRange(RelativeDistance(gram, exact), 0, ToNewtonSchulz);
        Assert.InRange(RelativeDistance(gram, polar), 0, RelativeDistance(exact, polar) + ToPolarSlack);
    }

    [Fact]
    public void The_comparison_rejects_bfloat16_Newton_Schulz_so_it_can_fail()
    {
        // The check above must be able to fail: bfloat16 Newton–Schulz (Muon's plain path) sits
        // 2–3e-2 from the float64 iteration, well outside the Gram path's tolerance.
        using var g = Make(Input.Gaussian, 64, 288, seed: 2);
        using var bf16 = Orthogonalize.NewtonSchulz(g, computeType: ScalarType.BFloat16);
        using var exact = Orthogonalize.NewtonSchulz(g.to(ScalarType.Float64), computeType: ScalarType.Float64);

        Assert.True(RelativeDistance(bf16, exact) > ToNewtonSchulz);
    }

    [Fact]
    public void The_shape_rule_takes_Gram_only_for_matrices_more_than_four_times_wider_than_tall_and_never_in_float64()
    {
        Assert.True(Orthogonalize.PrefersGram(128, 9216, ScalarType.BFloat16));
        Assert.True(Orthogonalize.PrefersGram(288, 64, ScalarType.Float32));
        Assert.False(Orthogonalize.PrefersGram(256, 1024, ScalarType.BFloat16));   // exactly 4×: plain
        Assert.False(Orthogonalize.PrefersGram(256, 256, ScalarType.BFloat16));
        Assert.False(Orthogonalize.PrefersGram(128, 9216, ScalarType.Float64));
    }

    [Fact]
    public void An_overflowing_norm_returns_no_factor_and_a_zero_matrix_maps_to_zero()
    {
        using var workspace = new NewtonSchulzWorkspace();
        using var huge = full(new long[] { 8, 64 }, 1e30f);
        using var zero = zeros(8, 64);
        var schedule = Enumerable.Repeat(Orthogonalize.JordanQuintic, 5).ToArray();

        Assert.Null(Orthogonalize.GramFactor(huge, schedule, Orthogonalize.DefaultEpsilon, 1.0, workspace));
        using var result = Orthogonalize.GramNewtonSchulz(zero, schedule);
        Assert.Equal(0.0, result.abs().max().item<float>());
    }
}
