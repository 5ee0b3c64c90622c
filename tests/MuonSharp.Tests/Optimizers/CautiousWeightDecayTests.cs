using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static MuonSharp.Tests.Optimizers.OptimizerTestKit;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

/// <summary>
/// Cautious weight decay (Chen et al. 2025, arXiv 2510.12402): p ← p − lr·(u + wd·𝕀(u⊙p ≥ 0)⊙p), u the
/// optimizer's step direction, on Muon, the hybrid's AdamW half and Lion.
/// </summary>
public sealed class CautiousWeightDecayTests
{
    private const double Lr = 0.05, Wd = 0.5;

    /// <summary>The decay written out for one entry: 1 − lr·wd where the update u and p agree in sign (or one is 0), else 1.</summary>
    private static double Decayed(double p, double u) => u * p >= 0 ? p * (1 - Lr * Wd) : p;

    [Fact]
    public void Lion_decays_exactly_the_entries_whose_sign_matches_the_update()
    {
        // Known answer: with β1 = 0 the direction is sign(g). p = [1, −1, 2, −2], g = [1, 1, −1, −1]:
        // entries 0 and 3 agree in sign with the step and decay; entries 1 and 2 do not, and only step.
        using var p = new Parameter(tensor(new double[] { 1, -1, 2, -2 }));
        using var optimizer = Optim.Lion(new[] { p }, lr: Lr, beta1: 0, weight_decay: Wd, cautious_wd: true);
        p.grad = tensor(new double[] { 1, 1, -1, -1 });

        optimizer.step();

        double d = 1 - Lr * Wd;
        Assert.Equal(new[] { 1 * d - Lr, -1 - Lr, 2 + Lr, -2 * d + Lr }, Values(p));
    }

    [Fact]
    public void Tiny_entries_whose_product_underflows_are_judged_by_their_signs()
    {
        // In float32, 1e-30·(−1e-30) underflows to −0, which compares ≥ 0: multiplying the values would decay
        // entries whose signs disagree. Entries 0 and 1 disagree (no decay), 2 and 3 agree (decay).
        using var p = tensor(new[] { 1e-30f, -1e-30f, 1e-30f, -1e-30f });
        using var u = tensor(new[] { -1e-30f, 1e-30f, 1e-30f, -1e-30f });
        using var s = new HeldScalars();

        DecoupledWeightDecay.Apply(p, Lr, Wd, cautious: true, u, s);

        float d = (float)(1 - Lr * Wd);
        Assert.Equal(new[] { 1e-30f, -1e-30f, 1e-30f * d, -1e-30f * d }, p.data<float>().ToArray());
    }

    [Fact]
    public void Lion_three_steps_equal_the_formula_written_out_in_float64()
    {
        using var scope = NewDisposeScope();
        const double beta1 = 0.8, beta2 = 0.95;
        var generator = new Generator(12);
        var p = GaussianParameter(new long[] { 3, 5 }, generator);
        var expected = Values(p);
        var m = new double[expected.Length];
        var optimizer = Optim.Lion(new[] { p }, Lr, beta1, beta2, Wd, cautious_wd: true);

        for (int step = 0; step < 3; step++)
        {
            var grad = Gaussian(p.shape, generator);
            SetGrad(p, grad);
            var g = Values(grad);
            for (int i = 0; i < g.Length; i++)
            {
                double u = Math.Sign(beta1 * m[i] + (1 - beta1) * g[i]);
                expected[i] = Decayed(expected[i], u) - Lr * u;
                m[i] = beta2 * m[i] + (1 - beta2) * g[i];
            }
            optimizer.step();
        }

        var actual = Values(p);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void AdamW_three_steps_equal_the_formula_written_out_in_float64()
    {
        using var scope = NewDisposeScope();
        const double beta1 = 0.8, beta2 = 0.9, eps = 1e-10;
        var generator = new Generator(13);
        var p = GaussianParameter(new long[] { 4, 3 }, generator);
        var expected = Values(p);
        var (m, v) = (new double[expected.Length], new double[expected.Length]);
        var optimizer = new AuxAdamW(new[] { new AuxAdamW.ParamGroup(new[] { p }) },
            new AuxAdamW.Options { LearningRate = Lr, beta1 = beta1, beta2 = beta2, eps = eps, weight_decay = Wd, cautious_wd = true });
        int skipped = 0;

        for (int t = 1; t <= 3; t++)
        {
            var grad = Gaussian(p.shape, generator);
            SetGrad(p, grad);
            var g = Values(grad);
            for (int i = 0; i < g.Length; i++)
            {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                double u = m[i] / (1 - Math.Pow(beta1, t)) / (Math.Sqrt(v[i] / (1 - Math.Pow(beta2, t))) + eps);
                if (u * expected[i] < 0) skipped++;
                expected[i] = Decayed(expected[i], u) - Lr * u;
            }
            optimizer.step();
        }

        var actual = Values(p);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 12);
        Assert.True(skipped > 0, "no entry disagreed in sign with its update, so the mask was never tested");
    }

    [Fact]
    public void Muon_three_steps_equal_the_formula_written_out_in_float64()
    {
        // u = s·NS(nesterov look-ahead); the mask reads O's signs (s > 0 does not change them).
        using var scope = NewDisposeScope();
        const double beta = 0.9;
        var generator = new Generator(14);
        var p = GaussianParameter(new long[] { 6, 4 }, generator);
        var expected = Values(p);
        var buf = zeros(6, 4, dtype: ScalarType.Float64);
        double s = Math.Sqrt(6.0 / 4);
        var optimizer = Optim.Muon(new[] { p }, lr: Lr, momentum: beta, weight_decay: Wd, ns_dtype: ScalarType.Float64, cautious_wd: true);
        int skipped = 0;

        for (int step = 0; step < 3; step++)
        {
            var g = Gaussian(p.shape, generator);
            SetGrad(p, g);
            buf = beta * buf + (1 - beta) * g;
            var o = Values(MuonTests.ReferenceNewtonSchulz((1 - beta) * g + beta * buf));
            for (int i = 0; i < o.Length; i++)
            {
                if (o[i] * expected[i] < 0) skipped++;
                expected[i] = Decayed(expected[i], o[i]) - Lr * s * o[i];
            }
            optimizer.step();
        }

        var actual = Values(p);
        for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 12);
        Assert.True(skipped > 0, "no entry disagreed in sign with its update, so the mask was never tested");
    }

    [Fact]
    public void The_hybrid_passes_cautious_decay_to_each_half_on_its_own()
    {
        var named = new[] { ("hidden.weight", new Parameter(zeros(4, 4))), ("hidden.bias", new Parameter(zeros(4))) };

        using var optimizer = Optim.MuonWithAuxAdamW(named, cautious_wd: true, adamw_cautious_wd: false);

        Assert.True(((Muon.ParamGroup)optimizer.MuonPart.ParamGroups.Single()).Options.cautious_wd);
        Assert.False(((AuxAdamW.ParamGroup)optimizer.AdamWPart.ParamGroups.Single()).Options.cautious_wd);
    }
}
