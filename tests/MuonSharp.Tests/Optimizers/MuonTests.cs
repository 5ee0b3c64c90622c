using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

public sealed class MuonTests
{
    private static Tensor Random(long[] shape, int seed) =>
        randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed));

    /// <summary>Newton–Schulz written out again, independently of the library, in float64.</summary>
    internal static Tensor ReferenceNewtonSchulz(Tensor g)
    {
        const double a = 3.4445, b = -4.7750, c = 2.0315;
        bool tall = g.shape[0] > g.shape[1];
        var x = tall ? g.T : g;
        x = x / (x.square().sum().sqrt() + 1e-7);
        for (int i = 0; i < 5; i++)
        {
            var gram = x.matmul(x.T);
            x = a * x + (b * gram + c * gram.matmul(gram)).matmul(x);
        }
        return tall ? x.T : x;
    }

    /// <summary>
    /// Steps <paramref name="optimizer"/> three times on seeded gradients and computes the reference form beside it:
    /// buf ← β·buf + (1−β)·g; u ← nesterov ? (1−β)·g + β·buf : buf; O ← <paramref name="orthogonalize"/>(u as
    /// [rows, cols]); p ← p·(1 − lr·wd) − lr·s·O with s = √max(1, rows/cols). Returns the reference parameter.
    /// </summary>
    internal static Tensor ThreeReferenceSteps(Parameter parameter, torch.optim.Optimizer optimizer, double lr, double beta, bool nesterov,
        double weightDecay, Func<Tensor, Tensor> orthogonalize)
    {
        var shape = parameter.shape;
        var expected = parameter.detach().clone();
        var buf = zeros_like(expected);
        long rows = shape[0], cols = parameter.numel() / rows;
        double s = Math.Sqrt(Math.Max(1.0, (double)rows / cols));
        for (int step = 0; step < 3; step++)
        {
            var g = Random(shape, seed: 100 + step);
            parameter.grad = g.clone();
            optimizer.step();

            buf = beta * buf + (1 - beta) * g;
            var u = nesterov ? (1 - beta) * g + beta * buf : buf;
            var o = orthogonalize(u.reshape(rows, cols)).reshape(shape) * s;
            expected = expected * (1 - lr * weightDecay) - lr * o;
        }
        return expected;
    }

    [Theory]
    [InlineData(true, 0.0, new long[] { 5, 8 })]
    [InlineData(false, 0.0, new long[] { 5, 8 })]
    [InlineData(true, 0.1, new long[] { 12, 3 })]      // tall: s = √(12/3) = 2
    [InlineData(true, 0.0, new long[] { 4, 2, 3, 3 })] // conv filter, read as [4, 18]: s = 1
    public void Three_steps_equal_the_reference_form_computed_in_float64(bool nesterov, double weightDecay, long[] shape)
    {
        // Given gradients g₁..g₃, the reference form (papers README, "Muon reference"):
        // buf ← β·buf + (1−β)·g; u ← nesterov ? (1−β)·g + β·buf : buf; O ← NS(u flattened)·s;
        // p ← p·(1 − lr·wd) − lr·O, with s = √max(1, rows/cols) on the flattened shape.
        const double lr = 0.05, beta = 0.95;
        using var parameter = new Parameter(Random(shape, seed: 1));
        using var optimizer = Optim.Muon(new[] { parameter }, lr: lr, momentum: beta, nesterov: nesterov,
            weight_decay: weightDecay, ns_dtype: ScalarType.Float64);
        var expected = ThreeReferenceSteps(parameter, optimizer, lr, beta, nesterov, weightDecay, ReferenceNewtonSchulz);

        Assert.True(TensorAssert.MaxAbsDifference(parameter, expected) < 1e-12);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, ScalarType.Float32)]
    [InlineData(ScalarType.Float32, ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64, ScalarType.BFloat16)]
    public void The_update_is_added_in_the_parameter_dtype_whatever_the_Newton_Schulz_dtype(ScalarType parameterType, ScalarType nsType)
    {
        // Muon adds the Newton–Schulz result in ns_dtype straight into the parameter; the parameter
        // keeps its dtype and moves by exactly lr·s·O (O widened, or rounded to a bfloat16 parameter).
        using var parameter = new Parameter(Random(new long[] { 8, 12 }, seed: 5).to(parameterType));
        using var before = parameter.detach().clone();
        using var optimizer = Optim.Muon(new[] { parameter }, lr: 0.1, nesterov: false, momentum: 0.0, ns_dtype: nsType);
        using var g = Random(new long[] { 8, 12 }, seed: 6).to(parameterType);
        parameter.grad = g.clone();

        optimizer.step();

        using var expected = before.to(ScalarType.Float64) - 0.1 * Orthogonalize.NewtonSchulz(g, computeType: nsType).to(ScalarType.Float64);
        Assert.Equal(parameterType, parameter.dtype);
        double tolerance = parameterType == ScalarType.BFloat16 ? 1e-2 : 1e-6;
        Assert.True(TensorAssert.MaxAbsDifference(parameter, expected) < tolerance);
    }

    [Fact]
    public void The_shape_scale_of_a_conv_filter_is_computed_on_its_flattened_shape()
    {
        // [16, 2, 3, 3] is orthogonalized as [16, 18]: s = √max(1, 16/18) = 1, not √(16/2) as the
        // unflattened shape would give.
        Assert.Equal(1.0, Muon.ShapeScale(16, 18, Optim.AdjustLr.Original));
        Assert.Equal(2.0, Muon.ShapeScale(12, 3, Optim.AdjustLr.Original));
        Assert.Equal(0.2 * Math.Sqrt(18), Muon.ShapeScale(16, 18, Optim.AdjustLr.MatchRmsAdamW), 12);
    }

    [Fact]
    public void Nesterov_on_and_off_agree_on_step_one_and_differ_from_step_two()
    {
        // With buf starting at 0, both look-aheads are multiples of g₁ at step one, and
        // Newton–Schulz is scale-invariant up to its eps (1e-7 added to the norm, hence the 1e-8
        // tolerance); from step two they weigh g₂ differently.
        using var withNesterov = new Parameter(Random(new long[] { 4, 6 }, seed: 2));
        using var without = new Parameter(withNesterov.detach().clone());
        using var a = Optim.Muon(new[] { withNesterov }, nesterov: true, ns_dtype: ScalarType.Float64);
        using var b = Optim.Muon(new[] { without }, nesterov: false, ns_dtype: ScalarType.Float64);

        double[] differences = new double[2];
        for (int step = 0; step < 2; step++)
        {
            var g = Random(new long[] { 4, 6 }, seed: 200 + step);
            withNesterov.grad = g.clone();
            without.grad = g.clone();
            a.step();
            b.step();
            differences[step] = TensorAssert.MaxAbsDifference(withNesterov, without);
        }

        Assert.True(differences[0] < 1e-8, $"step 1 differs by {differences[0]}");
        Assert.True(differences[1] > 1e-4, $"step 2 differs by only {differences[1]}");
    }

    [Fact]
    public void The_momentum_buffer_is_created_at_the_first_gradient_and_a_scheduler_can_drive_lr()
    {
        using var parameter = new Parameter(Random(new long[] { 3, 3 }, seed: 3));
        using var optimizer = Optim.Muon(new[] { parameter }, lr: 0.1);
        Assert.Null(optimizer.StateOf(parameter).momentum_buffer);
        var scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size: 1, gamma: 0.5);

        parameter.grad = ones_like(parameter);
        optimizer.step();
        scheduler.step();

        Assert.NotNull(optimizer.StateOf(parameter).momentum_buffer);
        Assert.Equal(1, optimizer.StateOf(parameter).step);
        Assert.Equal(0.05, optimizer.ParamGroups.Single().LearningRate, 12);
    }
}

public sealed class MuonBatchingTests
{
    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 1e-5)]
    public void Batched_orthogonalization_of_same_shaped_parameters_equals_the_one_by_one_path(ScalarType nsDtype, double tolerance)
    {
        // Given three [6, 4] matrices and one [5, 5], when Muon steps with and without batching,
        // then the parameters agree (batched matmul may round differently, hence the tolerance).
        var generator = new Generator(9);
        var shapes = new[] { new long[] { 6, 4 }, new long[] { 6, 4 }, new long[] { 5, 5 }, new long[] { 6, 4 } };
        var initial = shapes.Select(s => randn(s, dtype: ScalarType.Float64, generator: generator)).ToArray();
        var grads = Enumerable.Range(0, 3).Select(_ => shapes.Select(s => randn(s, dtype: ScalarType.Float64, generator: generator)).ToArray()).ToArray();

        Parameter[] Run(bool batched)
        {
            var parameters = initial.Select(t => new Parameter(t.clone())).ToArray();
            var optimizer = Optim.Muon(parameters, ns_dtype: nsDtype);
            optimizer.BatchSameShapes = batched;
            foreach (var step in grads)
            {
                for (int i = 0; i < parameters.Length; i++) parameters[i].grad = step[i].clone();
                optimizer.step();
            }
            return parameters;
        }

        var batchedResult = Run(batched: true);
        var oneByOne = Run(batched: false);

        for (int i = 0; i < shapes.Length; i++)
            Assert.True(TensorAssert.MaxAbsDifference(batchedResult[i], oneByOne[i]) < tolerance);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float32)]
    public void Batched_steps_do_not_grow_the_number_of_live_native_tensors(ScalarType nsDtype)
    {
        // The conformance suite checks this for one matrix; here the batched Newton–Schulz path runs
        // (three same-shaped matrices stacked) besides the single-matrix one.
        var generator = new Generator(11);
        var parameters = new[] { new long[] { 6, 4 }, new long[] { 6, 4 }, new long[] { 6, 4 }, new long[] { 5, 5 } }
            .Select(s => new Parameter(randn(s, generator: generator))).ToArray();
        foreach (var p in parameters) p.grad = zeros_like(p);
        using var optimizer = Optim.Muon(parameters, lr: 0.01, ns_dtype: nsDtype);
        void Steps(int count)
        {
            for (int i = 0; i < count; i++)
            {
                using var scope = NewDisposeScope();
                foreach (var p in parameters) p.grad!.copy_(randn(p.shape, generator: generator)); // new gradient, same tensor
                optimizer.step();
            }
        }
        Steps(5); // state is allocated by now
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Steps(200);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.True(after <= before, $"live tensors grew from {before} to {after} over 200 steps");
        foreach (var p in parameters) p.Dispose();
    }
}
