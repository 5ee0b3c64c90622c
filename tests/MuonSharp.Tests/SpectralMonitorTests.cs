using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary><see cref="SpectralMonitor"/>: closed-form metrics, agreement with <see cref="Spectral"/>, cadence, CSV, advice.</summary>
public sealed class SpectralMonitorTests
{
    private const double Tight = 1e-9;

    private static double Value(SpectralMonitor monitor, long step, string layer, string metric) =>
        monitor.Rows.Single(r => r.Step == step && r.Layer == layer && r.Metric == metric).Value;

    /// <summary>An <c>[n, d]</c> matrix whose r nonzero singular values are all 1 (columns of two orthonormal bases).</summary>
    private static Tensor RankWithEqualSingularValues(long n, long d, long r, int seed)
    {
        var u = TestMatrices.OrthonormalColumns(n, r, seed);
        var v = TestMatrices.OrthonormalColumns(d, r, seed + 1);
        return u.matmul(v.T);
    }

    private static Linear Layer(long inputs, long outputs) => nn.Linear(inputs, outputs, hasBias: false, dtype: ScalarType.Float64);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Rank_r_activations_with_equal_singular_values_have_stable_rank_r(int rank)
    {
        // Given a linear layer fed activations of rank r whose singular values are equal,
        using var fc = Layer(8, 6);
        using var monitor = SpectralMonitor.Attach(fc, every: 1);
        using var x = RankWithEqualSingularValues(40, 8, rank, seed: 1);
        fc.call(x).sum().backward();

        monitor.Record(0);

        // then st(A) = r exactly.
        Assert.Equal(rank, Value(monitor, 0, "weight", SpectralMetrics.StableRankA), Tight);
    }

    [Fact]
    public void A_gradient_with_known_spectrum_and_identity_activations_give_the_closed_form_ranks_and_ratio()
    {
        // Given activations A = I₈ (st = 8) and the loss ⟨fc(A), T⟩, whose gradient is G = Tᵀ,
        // with T's singular values (3, 1, 1): nr(G) = (3+1+1)² / (9+1+1) = 25/11,
        using var fc = Layer(8, 6);
        using var monitor = SpectralMonitor.Attach(fc, every: 1);
        using var a = eye(8, dtype: ScalarType.Float64);
        using var t = zeros(8, 6, dtype: ScalarType.Float64);
        t[0, 0] = tensor(3.0); t[1, 1] = tensor(1.0); t[2, 2] = tensor(1.0);
        fc.call(a).mul(t).sum().backward();

        monitor.Record(0);

        Assert.Equal(8, Value(monitor, 0, "weight", SpectralMetrics.StableRankA), Tight);
        Assert.Equal(25.0 / 11, Value(monitor, 0, "weight", SpectralMetrics.NuclearRankG), Tight);
        Assert.Equal(25.0 / 11 / 8, Value(monitor, 0, "weight", SpectralMetrics.ConditionRatio), Tight);
    }

    [Fact]
    public void An_orthogonal_weight_has_full_stable_and_effective_rank_and_unit_spectral_norm()
    {
        // Given a square weight set to an orthogonal matrix,
        using var fc = Layer(6, 6);
        using (no_grad()) fc.weight!.copy_(TestMatrices.OrthonormalColumns(6, 6, seed: 3));
        using var monitor = SpectralMonitor.Attach(fc, every: 1);
        fc.call(ones(4, 6, dtype: ScalarType.Float64)).sum().backward();

        monitor.Record(0);

        Assert.Equal(6, Value(monitor, 0, "weight", SpectralMetrics.StableRankW), 1e-9);
        Assert.Equal(6, Value(monitor, 0, "weight", SpectralMetrics.EffectiveRankW), 1e-9);
        Assert.Equal(1, Value(monitor, 0, "weight", SpectralMetrics.SigmaMaxW), 1e-9);
    }

    [Fact]
    public void The_update_metrics_measure_the_change_of_the_step_after_the_observed_one()
    {
        // Given plain gradient descent with lr 0.5 on the loss ⟨fc(I₄), T⟩ with T = diag(2, 1, 0, 0),
        // the update is −0.5·Tᵀ: spectral norm 1, RMS √(1 + 0.25) / 4,
        using var fc = Layer(4, 4);
        using var monitor = SpectralMonitor.Attach(fc, every: 10);
        using var optimizer = optim.SGD(fc.parameters(), 0.5);
        using var t = diag(tensor(new[] { 2.0, 1.0, 0.0, 0.0 }));
        for (int step = 0; step < 2; step++)
        {
            optimizer.zero_grad();
            fc.call(eye(4, dtype: ScalarType.Float64)).mul(t).sum().backward();
            monitor.Record(step);
            optimizer.step();
        }

        // then both are filed under the observed step 0.
        Assert.Equal(1, Value(monitor, 0, "weight", SpectralMetrics.UpdateSpectralNorm), 1e-9);
        Assert.Equal(Math.Sqrt(1.25) / 4, Value(monitor, 0, "weight", SpectralMetrics.UpdateRms), 1e-12);
    }

    [Fact]
    public void Ranks_agree_with_Spectral_on_the_captured_matrices()
    {
        // Given a linear layer on random inputs with a random target,
        using var fc = Layer(12, 7);
        using var monitor = SpectralMonitor.Attach(fc, every: 1);
        using var x = TestMatrices.Random(50, 12, seed: 4);
        using var y = TestMatrices.Random(50, 7, seed: 5);
        nn.functional.mse_loss(fc.call(x), y).backward();

        monitor.Record(0);

        // then st(A) and nr(G) are Spectral's on the input and the gradient.
        Assert.Equal(Spectral.StableRank(x), Value(monitor, 0, "weight", SpectralMetrics.StableRankA), 1e-8);
        Assert.Equal(Spectral.NuclearRank(fc.weight!.grad!), Value(monitor, 0, "weight", SpectralMetrics.NuclearRankG), 1e-8);
        Assert.Equal(Spectral.StableRank(fc.weight!), Value(monitor, 0, "weight", SpectralMetrics.StableRankW), 1e-8);
        Assert.Equal(Spectral.EffectiveRank(fc.weight!), Value(monitor, 0, "weight", SpectralMetrics.EffectiveRankW), 1e-8);
    }

    [Fact]
    public void A_conv_layer_pooled_over_forwards_and_formed_in_chunks_of_images_matches_the_whole_unfolded_matrix()
    {
        // Given two forwards of a 3×3 convolution on [5, 8, 40, 40] float64 inputs — 0.9 MB of patches per
        // image, so each batch is unfolded two images at a time (chunks 2, 2, 1),
        using var conv = nn.Conv2d(8, 4, 3, padding: 1, bias: false, dtype: ScalarType.Float64);
        using var monitor = SpectralMonitor.Attach(conv, every: 1);
        using var first = randn(new long[] { 5, 8, 40, 40 }, dtype: ScalarType.Float64, generator: new Generator(7)).relu();
        using var second = randn(new long[] { 5, 8, 40, 40 }, dtype: ScalarType.Float64, generator: new Generator(8));
        conv.call(first).square().sum().backward();
        conv.call(second).square().sum().backward();

        monitor.Record(0);

        // then st(A) is that of all patches of both batches as rows, unfolded at once.
        using var scope = NewDisposeScope();
        var rows = cat(new[] { first, second }.Select(x => nn.functional.unfold(x, 3, padding: 1).transpose(1, 2).reshape(-1, 72)).ToList(), 0);
        Assert.Equal(Spectral.StableRank(rows), Value(monitor, 0, "weight", SpectralMetrics.StableRankA), 1e-8);
    }

    [Fact]
    public void A_conv_layer_reads_its_activations_as_the_matrix_of_its_padded_patches()
    {
        // Given a 3×3 convolution with padding 1 and stride 2 on a random [2, 2, 5, 5] input,
        using var conv = nn.Conv2d(2, 3, 3, stride: 2, padding: 1, bias: false, dtype: ScalarType.Float64);
        using var monitor = SpectralMonitor.Attach(conv, every: 1);
        using var x = randn(new long[] { 2, 2, 5, 5 }, dtype: ScalarType.Float64, generator: new Generator(6));
        conv.call(x).square().sum().backward();

        monitor.Record(0);

        // then st(A) is that of the patch matrix built here by slicing: one row per (image, output position).
        using var padded = nn.functional.pad(x, new long[] { 1, 1, 1, 1 });
        var rows = new List<Tensor>();
        for (int image = 0; image < 2; image++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    rows.Add(padded[image, TensorIndex.Colon, TensorIndex.Slice(2 * i, 2 * i + 3), TensorIndex.Slice(2 * j, 2 * j + 3)].reshape(-1));
        using var patches = stack(rows);   // [18, 2·3·3]
        Assert.Equal(Spectral.StableRank(patches), Value(monitor, 0, "weight", SpectralMetrics.StableRankA), 1e-8);
        Assert.Equal(Spectral.NuclearRank(conv.weight!.grad!), Value(monitor, 0, "weight", SpectralMetrics.NuclearRankG), 1e-8);
    }

    [Fact]
    public void Evaluation_forwards_are_ignored_and_accumulated_micro_batches_are_pooled()
    {
        // Given two training micro-batches of rank 1 along different directions (pooled: rank 2, equal σ),
        using var fc = Layer(4, 3);
        using var monitor = SpectralMonitor.Attach(fc, every: 1);
        using var first = outer(ones(5, dtype: ScalarType.Float64), tensor(new[] { 1.0, 0, 0, 0 }));
        using var second = outer(ones(5, dtype: ScalarType.Float64), tensor(new[] { 0, 1.0, 0, 0 }));
        fc.call(first).sum().backward();
        fc.call(second).sum().backward();
        // and full-rank evaluation forwards in eval mode and under no_grad,
        using var full = TestMatrices.Random(20, 4, seed: 7);
        fc.eval();
        fc.call(full).Dispose();
        fc.train();
        using (no_grad()) fc.call(full).Dispose();

        monitor.Record(0);

        // then st(A) is that of the two training batches stacked: 2.
        Assert.Equal(2, Value(monitor, 0, "weight", SpectralMetrics.StableRankA), Tight);
    }

    [Fact]
    public void Only_steps_on_the_cadence_are_observed()
    {
        using var fc = Layer(4, 3);
        using var monitor = SpectralMonitor.Attach(fc, every: 3);
        using var optimizer = optim.SGD(fc.parameters(), 0.1);
        for (int step = 0; step <= 7; step++)
        {
            optimizer.zero_grad();
            fc.call(TestMatrices.Random(6, 4, seed: step)).sum().backward();
            monitor.Record(step);
            optimizer.step();
        }

        Assert.Equal(new long[] { 0, 3, 6 }, monitor.Rows.Where(r => r.Metric == SpectralMetrics.StableRankA).Select(r => r.Step));
        Assert.Equal(new long[] { 0, 3, 6 }, monitor.Rows.Where(r => r.Metric == SpectralMetrics.UpdateRms).Select(r => r.Step));
    }

    [Fact]
    public void With_Muon_the_metric_names_are_exactly_those_of_the_specification()
    {
        using var fc = Layer(6, 5);
        using var optimizer = Optim.Muon(fc.parameters(), lr: 0.01);
        using var monitor = SpectralMonitor.Attach(fc, every: 1, optimizer: optimizer);
        for (int step = 0; step < 3; step++)
        {
            optimizer.zero_grad();
            fc.call(TestMatrices.Random(8, 6, seed: 10 + step)).square().sum().backward();
            monitor.Record(step);
            optimizer.step();
        }

        string[] expected = ["stable_rank_a", "nuclear_rank_g", "condition_ratio", "stable_rank_w", "effective_rank_w",
            "sigma_max_w", "update_rms", "update_spectral_norm", "ns_orthogonality_error"];
        Assert.Equal(expected.Order(), monitor.Rows.Select(r => r.Metric).Distinct().Order());
    }

    [Fact]
    public void The_Newton_Schulz_error_is_the_distance_of_NS_of_the_momentum_from_its_polar_factor()
    {
        // Given Muon in float32 with 5 quintic steps, observed at step 2 (a momentum buffer exists by then),
        using var fc = Layer(6, 5);
        using var optimizer = Optim.Muon(fc.parameters(), lr: 0.01, ns_dtype: ScalarType.Float32);
        using var monitor = SpectralMonitor.Attach(fc, every: 2, optimizer: optimizer);
        Tensor? momentumAtStep2 = null;
        for (int step = 0; step <= 2; step++)
        {
            optimizer.zero_grad();
            fc.call(TestMatrices.Random(8, 6, seed: 20 + step)).square().sum().backward();
            if (step == 2) momentumAtStep2 = optimizer.StateOf(fc.weight!).momentum_buffer!.clone();
            monitor.Record(step);
            optimizer.step();
        }

        // then the recorded error is ‖NS(M) − Polar(M)‖_F / ‖Polar(M)‖_F of the buffer as it was at step 2,
        using var ns = Orthogonalize.NewtonSchulz(momentumAtStep2!, 5, Orthogonalize.JordanQuintic, ScalarType.Float32);
        using var polar = Orthogonalize.Polar(momentumAtStep2!);
        double expected = (ns - polar).norm().item<double>() / polar.norm().item<double>();
        double recorded = Value(monitor, 2, "weight", SpectralMetrics.NsOrthogonalityError);
        Assert.Equal(expected, recorded, 1e-6);
        // and it is neither zero nor large: the quintic's singular values sit in about [0.7, 1.2], never exactly 1.
        Assert.InRange(recorded, 1e-3, 0.5);
        momentumAtStep2!.Dispose();
    }

    [Fact]
    public void The_CSV_has_the_header_once_and_appends_new_rows()
    {
        using var fc = Layer(4, 3);
        using var monitor = SpectralMonitor.Attach(fc, every: 1);
        var path = Path.Combine(Path.GetTempPath(), $"monitor-{Guid.NewGuid():N}.csv");
        try
        {
            fc.call(TestMatrices.Random(5, 4, seed: 30)).sum().backward();
            monitor.Record(0);
            monitor.WriteCsv(path);
            int first = monitor.Rows.Count;
            fc.weight!.grad!.zero_();
            fc.call(TestMatrices.Random(5, 4, seed: 31)).sum().backward();
            monitor.Record(5);
            monitor.WriteCsv(path);

            var lines = File.ReadAllLines(path);
            Assert.Equal("step,layer,metric,value", lines[0]);
            Assert.Single(lines, l => l.StartsWith("step,", StringComparison.Ordinal));
            Assert.Equal(monitor.Rows.Count + 1, lines.Length);
            Assert.StartsWith("5,weight,", lines[first + 1], StringComparison.Ordinal);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Given_a_summary_writer_every_row_becomes_a_tensorboard_scalar_named_layer_slash_metric()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"monitor-tb-{Guid.NewGuid():N}");
        try
        {
            using var fc = Layer(4, 3);
            var writer = utils.tensorboard.SummaryWriter(directory);
            using var monitor = SpectralMonitor.Attach(fc, every: 1, tensorboard: writer);
            fc.call(TestMatrices.Random(5, 4, seed: 32)).sum().backward();
            monitor.Record(0);

            var events = string.Concat(Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
            Assert.Contains("weight/stable_rank_a", events);
            Assert.Contains("weight/sigma_max_w", events);
        }
        finally { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
    }

    [Theory]
    [InlineData(2.0, UpdateRecommendation.Spectral)]
    [InlineData(5.0, UpdateRecommendation.Spectral)]
    [InlineData(0.5, UpdateRecommendation.Euclidean)]
    [InlineData(0.1, UpdateRecommendation.Euclidean)]
    [InlineData(1.9, UpdateRecommendation.TooCloseToCall)]
    [InlineData(0.6, UpdateRecommendation.TooCloseToCall)]
    public void The_advice_rule_calls_a_layer_only_outside_the_factor_two_band(double median, UpdateRecommendation expected) =>
        Assert.Equal(expected, SpectralMonitor.Recommend(median, observations: 3));

    [Theory]
    [InlineData(0.01, new[] { 1.0, 100, 100 }, UpdateRecommendation.Spectral)]   // st(A) ≈ 1, G = [I₃ 0]: nr = 3
    [InlineData(1.0, new[] { 1.0, 0, 0 }, UpdateRecommendation.Euclidean)]       // st(A) = 4, G rank 1: nr = 1
    [InlineData(1.0, new[] { 1.0, 1, 1 }, UpdateRecommendation.TooCloseToCall)]  // st(A) = 4, nr = 3: ratio 3/4
    public void The_advice_follows_the_median_condition_ratio_of_closed_form_layers(double epsilon, double[] targetDiagonal, UpdateRecommendation expected)
    {
        // Given activations A = diag(1, ε, ε, ε) and the loss ⟨fc(A), T⟩, whose gradient is G = Tᵀ A,
        using var fc = Layer(4, 3);
        using var monitor = SpectralMonitor.Attach(fc, every: 1);
        using var a = diag(tensor(new[] { 1.0, epsilon, epsilon, epsilon }));
        using var t = zeros(4, 3, dtype: ScalarType.Float64);
        for (int i = 0; i < 3; i++) t[i, i] = tensor(targetDiagonal[i]);
        for (int step = 0; step < 3; step++)
        {
            fc.weight!.grad?.zero_();
            fc.call(a).mul(t).sum().backward();
            monitor.Record(step);
        }

        // then the advice is the rule applied to nr(G)/st(A), and the table says so.
        var advice = Assert.Single(monitor.Advice());
        Assert.Equal(3, advice.Observations);
        Assert.Equal(expected, advice.Recommendation);
        Assert.Contains("Rule (004 §3)", monitor.AdviceTable());
    }

    [Fact]
    public void Recording_after_dispose_is_refused()
    {
        var fc = Layer(4, 3);
        var monitor = SpectralMonitor.Attach(fc, every: 1);
        monitor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => monitor.Record(0));
        fc.Dispose();
    }
}
