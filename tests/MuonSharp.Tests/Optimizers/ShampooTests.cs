using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static MuonSharp.Tests.Optimizers.OptimizerTestKit;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

public sealed class ShampooTests
{
    /// <summary>(A + εI)^{-1/4} computed here, independently of the library, by eigh in float64.</summary>
    private static Tensor InverseFourthRoot(Tensor a, double epsilon)
    {
        var (lambda, q) = linalg.eigh(a.to(ScalarType.Float64));
        var scale = (lambda.clamp_min(0) + epsilon).pow(-0.25);
        return q.matmul(diag(scale)).matmul(q.T);
    }

    /// <summary>Shampoo reduced to its preconditioner: roots every step from the first, no grafting, momentum or decay.</summary>
    private static Shampoo PlainShampoo(IEnumerable<Parameter> parameters, double lr, double beta2 = 1.0, int maxDim = 1024) =>
        Optim.Shampoo(parameters, lr, momentum: 0, beta2: beta2, precondition_frequency: 1, start_preconditioning_step: 0,
            max_preconditioner_dim: maxDim, grafting: Optim.Grafting.None);

    [Fact]
    public void Matrix_steps_equal_L_to_the_minus_quarter_G_R_to_the_minus_quarter_computed_here()
    {
        // Given a 4×3 matrix, frequency 1, start 0 and no grafting, when Shampoo takes three steps,
        // then each step is −lr·(L + εI)^{-1/4} G (R + εI)^{-1/4} with L = ΣGGᵀ, R = ΣGᵀG (Gupta et al. 2018, Algorithm 1).
        using var scope = NewDisposeScope();
        const double lr = 0.1, epsilon = Shampoo.DefaultEpsilon;
        var generator = new Generator(21);
        var weight = GaussianParameter(new long[] { 4, 3 }, generator);
        var expected = weight.detach().clone();
        var (left, right) = (zeros(4, 4, dtype: ScalarType.Float64), zeros(3, 3, dtype: ScalarType.Float64));
        var optimizer = PlainShampoo(new[] { weight }, lr);

        for (int step = 0; step < 3; step++)
        {
            var g = Gaussian(new long[] { 4, 3 }, generator);
            left += g.matmul(g.T);
            right += g.T.matmul(g);
            expected -= lr * InverseFourthRoot(left, epsilon).matmul(g).matmul(InverseFourthRoot(right, epsilon));
            SetGrad(weight, g);
            optimizer.step();
        }

        Assert.True(MaxAbsDiff(weight, expected) < 1e-10, $"max difference {MaxAbsDiff(weight, expected)}");
        var state = optimizer.StateOf(weight);
        Assert.Single(state.Blocks!);
        Assert.True(MaxAbsDiff(state.Left(0)!, left) < 1e-12);
        Assert.True(MaxAbsDiff(state.Right(0)!, right) < 1e-12);
    }

    [Fact]
    public void The_first_step_is_the_polar_factor_of_the_gradient()
    {
        // Given one gradient G = UΣVᵀ, L^{-1/4} G R^{-1/4} = UVᵀ: Shampoo's first step is Muon's (001, "Shampoo" and "Muon").
        using var scope = NewDisposeScope();
        var generator = new Generator(22);
        var weight = GaussianParameter(new long[] { 5, 3 }, generator);
        var before = weight.detach().clone();
        var g = Gaussian(new long[] { 5, 3 }, generator);
        var (u, _, vt) = linalg.svd(g, fullMatrices: false);
        var optimizer = PlainShampoo(new[] { weight }, lr: 1.0);

        SetGrad(weight, g);
        optimizer.step();

        Assert.True(MaxAbsDiff(before - weight, u.matmul(vt)) < 1e-8);
    }

    [Fact]
    public void A_blocked_matrix_steps_exactly_like_its_blocks_optimized_alone()
    {
        // Given a [5, 2, 4] parameter (flattened to 5×8) split with max_preconditioner_dim 3 into
        // rows {3, 2} × columns {3, 3, 2}, when it and six separate block parameters take the same four
        // steps (grafting, momentum and decay on; preconditioning from step 2, roots every 2 steps),
        // then every block of the big parameter equals its separately optimized twin.
        using var scope = NewDisposeScope();
        var generator = new Generator(23);
        var start = Gaussian(new long[] { 5, 2, 4 }, generator);
        var whole = ParameterFrom(start);
        var layout = ShampooPreconditioner.Partition(5, 8, 3);
        var parts = layout.Select(b => ParameterFrom(b.Of(start.reshape(5, 8)))).ToArray();
        Shampoo Make(IEnumerable<Parameter> ps, int maxDim) => Optim.Shampoo(ps, lr: 0.05, momentum: 0.5, weight_decay: 0.1,
            precondition_frequency: 2, start_preconditioning_step: 1, max_preconditioner_dim: maxDim, grafting: Optim.Grafting.Adam);
        var blocked = Make(new[] { whole }, 3);
        var separate = Make(parts, 1024);

        for (int step = 0; step < 4; step++)
        {
            var g = Gaussian(new long[] { 5, 2, 4 }, generator);
            SetGrad(whole, g);
            for (int b = 0; b < layout.Count; b++) SetGrad(parts[b], layout[b].Of(g.reshape(5, 8)));
            blocked.step();
            separate.step();
        }

        Assert.Equal(6, layout.Count);
        Assert.Equal(layout, blocked.StateOf(whole).Blocks);
        Assert.Equal(new long[] { 2, 2 }, blocked.StateOf(whole).Left(5)!.shape);
        Assert.Equal(new long[] { 2, 2 }, blocked.StateOf(whole).Right(5)!.shape);
        for (int b = 0; b < layout.Count; b++)
            Assert.True(MaxAbsDiff(layout[b].Of(whole.reshape(5, 8)), parts[b]) < 1e-12, $"block {b} differs");
    }

    [Fact]
    public void Vectors_and_scalars_use_the_diagonal_statistic()
    {
        // Given a vector and a scalar with β2 = 0.9, when Shampoo takes three steps without grafting,
        // then each entry moves by −lr·g/√(d + ε) with d ← β2·d + (1−β2)·g² (Shampoo of order 1, i.e. RMSprop).
        using var scope = NewDisposeScope();
        const double lr = 0.1, beta2 = 0.9, epsilon = Shampoo.DefaultEpsilon;
        var generator = new Generator(24);
        var parameters = new[] { GaussianParameter(new long[] { 5 }, generator), GaussianParameter(Array.Empty<long>(), generator) };
        var expected = parameters.Select(Values).ToArray();
        var statistic = expected.Select(p => new double[p.Length]).ToArray();
        var optimizer = PlainShampoo(parameters, lr, beta2);

        for (int step = 0; step < 3; step++)
        {
            for (int k = 0; k < parameters.Length; k++)
            {
                var grad = Gaussian(parameters[k].shape, generator);
                SetGrad(parameters[k], grad);
                var g = Values(grad);
                for (int i = 0; i < g.Length; i++)
                {
                    statistic[k][i] = beta2 * statistic[k][i] + (1 - beta2) * g[i] * g[i];
                    expected[k][i] -= lr * g[i] / Math.Sqrt(statistic[k][i] + epsilon);
                }
            }
            optimizer.step();
        }

        for (int k = 0; k < parameters.Length; k++)
        {
            var state = optimizer.StateOf(parameters[k]);
            Assert.Null(state.Blocks);
            var (actual, d) = (Values(parameters[k]), Values(state.diagonal_statistic!));
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.Equal(expected[k][i], actual[i], 1e-12);
                Assert.Equal(statistic[k][i], d[i], 1e-12);
            }
        }
    }

    [Fact]
    public void Grafting_takes_the_diagonal_methods_step_before_the_start_and_its_length_after()
    {
        // Given AdaGrad grafting and start_preconditioning_step 2, then steps 1–2 are exactly AdaGrad's
        // step g/(√Σg² + ε), and steps 3–5 have AdaGrad's Frobenius length in a different (whitened) direction.
        using var scope = NewDisposeScope();
        const double lr = 0.1, graftEpsilon = 1e-8;
        var generator = new Generator(25);
        var weight = GaussianParameter(new long[] { 4, 3 }, generator);
        var sumOfSquares = zeros(4, 3, dtype: ScalarType.Float64);
        var optimizer = Optim.Shampoo(new[] { weight }, lr, momentum: 0, precondition_frequency: 1, start_preconditioning_step: 2,
            grafting: Optim.Grafting.AdaGrad, grafting_epsilon: graftEpsilon);

        for (int step = 1; step <= 5; step++)
        {
            var g = Gaussian(new long[] { 4, 3 }, generator);
            sumOfSquares += g.square();
            var adagrad = g / (sumOfSquares.sqrt() + graftEpsilon);
            var before = weight.detach().clone();
            SetGrad(weight, g);
            optimizer.step();
            var moved = (before - weight) / lr;

            if (step <= 2)
                Assert.True(MaxAbsDiff(moved, adagrad) < 1e-12, $"step {step}");
            else
            {
                Assert.Equal(adagrad.norm().ToDouble(), moved.norm().ToDouble(), 1e-12);
                double cosine = (moved * adagrad).sum().ToDouble() / (moved.norm().ToDouble() * adagrad.norm().ToDouble());
                Assert.True(cosine < 0.99, $"step {step}: the preconditioned direction should differ from AdaGrad's (cos {cosine})");
            }
        }
    }

    [Fact]
    public void Adam_grafting_gives_each_step_the_length_of_Adams_normalized_step()
    {
        using var scope = NewDisposeScope();
        const double lr = 0.01, beta2 = 0.999, graftEpsilon = 1e-8;
        var generator = new Generator(26);
        var weight = GaussianParameter(new long[] { 3, 6 }, generator);
        var v = zeros(3, 6, dtype: ScalarType.Float64);
        var optimizer = Optim.Shampoo(new[] { weight }, lr, momentum: 0, precondition_frequency: 1, start_preconditioning_step: 0);

        for (int step = 1; step <= 3; step++)
        {
            var g = Gaussian(new long[] { 3, 6 }, generator);
            v = beta2 * v + (1 - beta2) * g.square();
            var adam = g / ((v / (1 - Math.Pow(beta2, step))).sqrt() + graftEpsilon);
            var before = weight.detach().clone();
            SetGrad(weight, g);
            optimizer.step();

            Assert.Equal(lr * adam.norm().ToDouble(), (before - weight).norm().ToDouble(), 1e-12);
        }
    }

    [Fact]
    public void Inverse_roots_are_recomputed_only_every_precondition_frequency_steps()
    {
        // Given frequency 3 and start 0, the roots change at steps 1, 4 and 7 and stay fixed in between.
        using var scope = NewDisposeScope();
        var generator = new Generator(27);
        var weight = GaussianParameter(new long[] { 3, 3 }, generator);
        var optimizer = Optim.Shampoo(new[] { weight }, precondition_frequency: 3, start_preconditioning_step: 0);
        var state = optimizer.StateOf(weight);
        Tensor? previous = null;
        var changedAt = new List<int>();

        for (int step = 1; step <= 7; step++)
        {
            SetGrad(weight, Gaussian(new long[] { 3, 3 }, generator));
            optimizer.step();
            var root = state.LeftRoot(0)!.clone();
            if (previous is null || !root.allclose(previous, rtol: 0, atol: 0)) changedAt.Add(step);
            previous = root;
        }

        Assert.Equal(new[] { 1, 4, 7 }, changedAt);
    }

    [Fact]
    public void Descends_on_an_ill_conditioned_convex_quadratic()
    {
        // Given f(W, b) = ½‖A W + b·1ᵀ − B‖² with cond(A) = 10, when Shampoo runs 200 steps with its
        // default settings (Adam grafting, momentum 0.9, warm-up 10, roots every 10 steps) and lr 0.05,
        // then the loss falls below 1e-4 of its start.
        using var scope = NewDisposeScope();
        var generator = new Generator(28);
        var (q, _) = linalg.qr(Gaussian(new long[] { 8, 8 }, generator, ScalarType.Float32));
        var a = q.matmul(diag(logspace(0, 1, 8).to(ScalarType.Float32))).matmul(q.T);          // singular values 1 … 10
        var target = Gaussian(new long[] { 8, 6 }, generator, ScalarType.Float32);
        var weight = new Parameter(zeros(8, 6));
        var bias = new Parameter(zeros(8, 1));
        var optimizer = Optim.Shampoo(new[] { weight, bias }, lr: 0.05);
        Func<Tensor> loss = () => (a.matmul(weight) + bias - target).square().sum() / 2;
        double initial = loss().ToDouble();

        for (int i = 0; i < 200; i++)
        {
            optimizer.zero_grad();
            loss().backward();
            optimizer.step();
        }

        double final = loss().ToDouble();
        Assert.True(final < 1e-4 * initial, $"loss {final} vs initial {initial}");
    }

    [Fact]
    public void Saved_state_loaded_into_a_fresh_optimizer_continues_the_same_run()
    {
        // Checkpointed after step 2 (roots computed at step 2, reused at step 3), resumed for three
        // more steps: equals the uninterrupted run, so statistics, roots and buffers all round-trip.
        using var scope = NewDisposeScope();
        var generator = new Generator(29);
        var starts = new[] { Gaussian(new long[] { 4, 5 }, generator), Gaussian(new long[] { 4 }, generator) };
        var grads = Enumerable.Range(0, 5).Select(_ => starts.Select(s => Gaussian(s.shape, generator)).ToArray()).ToArray();
        Shampoo Make(Parameter[] ps) => Optim.Shampoo(ps, lr: 0.05, momentum: 0.9, weight_decay: 0.01,
            precondition_frequency: 2, start_preconditioning_step: 1, max_preconditioner_dim: 3);
        var straight = starts.Select(ParameterFrom).ToArray();
        var resumed = starts.Select(ParameterFrom).ToArray();
        void Step(Shampoo o, Parameter[] ps, int i) { for (int k = 0; k < ps.Length; k++) SetGrad(ps[k], grads[i][k]); o.step(); }

        var first = Make(straight);
        for (int i = 0; i < 5; i++) Step(first, straight, i);
        var second = Make(resumed);
        for (int i = 0; i < 2; i++) Step(second, resumed, i);
        var checkpoint = SaveState(second);
        var third = Make(resumed);
        LoadState(third, checkpoint);
        for (int i = 2; i < 5; i++) Step(third, resumed, i);

        for (int k = 0; k < straight.Length; k++) Assert.Equal(0.0, MaxAbsDiff(straight[k], resumed[k]));
    }

    [Fact]
    public void A_state_saved_with_another_max_preconditioner_dim_is_refused_naming_both_block_layouts()
    {
        // A [4, 5] matrix has 4 blocks with max_preconditioner_dim 3 and one with the default 1024; the
        // block layout is fixed when the state is created, so the saved statistics cannot be read into
        // another layout. (Before: "Storage size calculation overflowed" from a misread file.)
        using var scope = NewDisposeScope();
        var generator = new Generator(33);
        var start = Gaussian(new long[] { 4, 5 }, generator);
        var (source, target) = (ParameterFrom(start), ParameterFrom(start));
        var blocked = Optim.Shampoo(new[] { ("w", source) }, precondition_frequency: 1, start_preconditioning_step: 0, max_preconditioner_dim: 3);
        var whole = Optim.Shampoo(new[] { ("w", target) }, precondition_frequency: 1, start_preconditioning_step: 0);
        for (int i = 0; i < 2; i++)
        {
            var g = Gaussian(new long[] { 4, 5 }, generator);
            SetGrad(source, g);
            SetGrad(target, g);
            blocked.step();
            whole.step();
        }
        var before = SaveState(whole);

        var error = Assert.Throws<InvalidDataException>(() => LoadState(whole, SaveState(blocked)));

        Assert.Contains("'w'", error.Message);
        Assert.Contains("4 blocks", error.Message);
        Assert.Contains("1 block", error.Message);
        Assert.Contains("max_preconditioner_dim: 3", error.Message);
        Assert.Equal(before, SaveState(whole));
    }

    [Fact]
    public void A_zero_gradient_leaves_everything_finite()
    {
        using var scope = NewDisposeScope();
        var parameters = new[] { new Parameter(ones(3, 4)), new Parameter(ones(4)) };
        var optimizer = Optim.Shampoo(parameters, precondition_frequency: 1, start_preconditioning_step: 0);

        foreach (var p in parameters) SetGrad(p, zeros_like(p));
        optimizer.step();

        foreach (var p in parameters) Assert.Equal(1.0, Values(p).Distinct().Single());
    }

    [Theory]
    [InlineData(Optim.Grafting.None)]
    [InlineData(Optim.Grafting.Adam)]
    [InlineData(Optim.Grafting.AdaGrad)]
    public void Zero_gradients_before_the_first_real_one_leave_the_steps_of_a_fresh_start(Optim.Grafting grafting)
    {
        // Given 500 all-zero gradients (a parameter unused so far: TorchSharp's zero_grad zeroes in
        // place), when real gradients follow, then every step equals a fresh optimizer's: a statistic
        // that has seen nothing preconditions nothing, and zero steps advance neither the warm-up nor
        // Adam's bias correction. (Before: with None the largest |Δp| went 3.5 → 3864 → 1.6e7 → 3.7e10.)
        using var scope = NewDisposeScope();
        var generator = new Generator(31);
        var start = new[] { Gaussian(new long[] { 6, 4 }, generator), Gaussian(new long[] { 4 }, generator) };
        var grads = Enumerable.Range(0, 6).Select(_ => start.Select(s => Gaussian(s.shape, generator)).ToArray()).ToArray();
        Shampoo Make(Parameter[] ps) => Optim.Shampoo(ps, lr: 0.01, grafting: grafting);
        var (idle, fresh) = (start.Select(ParameterFrom).ToArray(), start.Select(ParameterFrom).ToArray());
        var (afterZeros, fromStart) = (Make(idle), Make(fresh));

        for (int i = 0; i < 500; i++)
        {
            foreach (var p in idle) SetGrad(p, zeros_like(p));
            afterZeros.step();
        }
        for (int i = 0; i < grads.Length; i++)
        {
            for (int k = 0; k < start.Length; k++) { SetGrad(idle[k], grads[i][k]); SetGrad(fresh[k], grads[i][k]); }
            afterZeros.step();
            fromStart.step();
            for (int k = 0; k < start.Length; k++)
                Assert.True(MaxAbsDiff(idle[k], fresh[k]) == 0, $"real step {i + 1}, parameter {k}: differs from a fresh start by {MaxAbsDiff(idle[k], fresh[k])}");
        }
    }

    [Fact]
    public void A_block_whose_statistic_saw_only_zeros_takes_the_plain_step_until_a_refresh_finds_it_nonzero()
    {
        // Given a 4×2 matrix split into two 2×2 blocks, no grafting, roots refreshed at steps 1, 4, 7, …,
        // when only the first block gets gradients for 4 steps (both refreshes see the second block's
        // statistic at zero) and then both do, then the second block's step 5 is the plain gradient —
        // not (εI)^{-1/4}·G·(εI)^{-1/4} = 10⁶·G from roots of a statistic that had seen nothing.
        using var scope = NewDisposeScope();
        var generator = new Generator(32);
        var weight = ParameterFrom(zeros(4, 2, dtype: ScalarType.Float64));
        var optimizer = Optim.Shampoo(new[] { weight }, lr: 1.0, momentum: 0, precondition_frequency: 3,
            start_preconditioning_step: 0, max_preconditioner_dim: 2, grafting: Optim.Grafting.None);
        var firstBlockOnly = cat(new[] { ones(2, 2, dtype: ScalarType.Float64), zeros(2, 2, dtype: ScalarType.Float64) });

        for (int i = 0; i < 4; i++) { SetGrad(weight, Gaussian(new long[] { 4, 2 }, generator) * firstBlockOnly); optimizer.step(); }
        var before = weight.detach().clone();
        var g = Gaussian(new long[] { 4, 2 }, generator);
        SetGrad(weight, g);
        optimizer.step();

        var moved = (before - weight).narrow(0, 2, 2);
        Assert.True(MaxAbsDiff(moved, g.narrow(0, 2, 2)) < 1e-12, $"the second block moved by up to {Values(moved).Select(Math.Abs).Max()}");
        Assert.Null(optimizer.StateOf(weight).LeftRoot(1));
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void Low_precision_parameters_keep_their_dtype_while_statistics_accumulate_in_float32(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(30);
        var parameters = new[] { GaussianParameter(new long[] { 4, 6 }, generator, dtype), GaussianParameter(new long[] { 4 }, generator, dtype) };
        var optimizer = Optim.Shampoo(parameters, momentum: 0.9, precondition_frequency: 1, start_preconditioning_step: 1);

        for (int step = 0; step < 3; step++)
        {
            foreach (var p in parameters) SetGrad(p, Gaussian(p.shape, generator, dtype));
            optimizer.step();
        }

        foreach (var p in parameters)
        {
            Assert.Equal(dtype, p.dtype);
            Assert.True(p.isfinite().all().ToBoolean());
        }
        Assert.Equal(ScalarType.Float32, optimizer.StateOf(parameters[0]).LeftRoot(0)!.dtype);
        Assert.Equal(ScalarType.Float32, optimizer.StateOf(parameters[1]).diagonal_statistic!.dtype);
        Assert.Equal(dtype, optimizer.StateOf(parameters[0]).momentum_buffer!.dtype);
    }

    public static TheoryData<string, double, string> BadHyperparameters => new()
    {
        { "lr", -1e-3, $"{-1e-3}" },
        { "lr", double.NaN, $"{double.NaN}" },
        { "momentum", 1.0, $"{1.0}" },
        { "beta2", 1.5, $"{1.5}" },
        { "beta2", double.NaN, $"{double.NaN}" },
        { "epsilon", 0, $"{0.0}" },
        { "epsilon", -1e-12, $"{-1e-12}" },
        { "weight_decay", -0.1, $"{-0.1}" },
        { "precondition_frequency", 0, "0" },
        { "start_preconditioning_step", -1, "-1" },
        { "max_preconditioner_dim", 0, "0" },
        { "grafting", 7, "7" },
        { "grafting_beta2", 1.0, $"{1.0}" },
        { "grafting_epsilon", 0, $"{0.0}" },
    };

    private static void Set(Shampoo.Options options, string name, double value)
    {
        switch (name)
        {
            case "lr": options.LearningRate = value; break;
            case "momentum": options.momentum = value; break;
            case "beta2": options.beta2 = value; break;
            case "epsilon": options.epsilon = value; break;
            case "weight_decay": options.weight_decay = value; break;
            case "precondition_frequency": options.precondition_frequency = (int)value; break;
            case "start_preconditioning_step": options.start_preconditioning_step = (int)value; break;
            case "max_preconditioner_dim": options.max_preconditioner_dim = (int)value; break;
            case "grafting": options.grafting = (Optim.Grafting)(int)value; break;
            case "grafting_beta2": options.grafting_beta2 = value; break;
            case "grafting_epsilon": options.grafting_epsilon = value; break;
            default: throw new ArgumentException(name);
        }
    }

    [Theory]
    [MemberData(nameof(BadHyperparameters))]
    public void A_bad_hyperparameter_in_a_group_is_refused_with_its_name_and_value(string name, double value, string shown)
    {
        using var scope = NewDisposeScope();
        var options = new Shampoo.Options();
        Set(options, name, value);
        var group = new Shampoo.ParamGroup(new[] { new Parameter(zeros(2, 2)) }, options);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Shampoo(new[] { group }));

        Assert.Equal(name, error.ParamName);
        Assert.Contains($"Invalid {name}: {shown}.", error.Message);
    }

    [Fact]
    public void Bad_factory_arguments_are_refused_with_their_name_and_value()
    {
        using var scope = NewDisposeScope();
        var parameters = new[] { new Parameter(zeros(2, 2)) };

        var frequency = Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Shampoo(parameters, precondition_frequency: 0));
        var lr = Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Shampoo(parameters, lr: -0.5));

        Assert.Equal("precondition_frequency", frequency.ParamName);
        Assert.Contains("Invalid precondition_frequency: 0.", frequency.Message);
        Assert.Equal("lr", lr.ParamName);
        Assert.Contains($"Invalid lr: {-0.5}.", lr.Message);
    }
}
