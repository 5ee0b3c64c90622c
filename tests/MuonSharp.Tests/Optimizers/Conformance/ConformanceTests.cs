using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers.Conformance;

/// <summary>The same checks for every optimizer in <see cref="OptimizerCatalog"/>.</summary>
public sealed class ConformanceTests
{
    private static RegressionProblem ProblemFor(OptimizerCase c, int seed = 7, ScalarType dtype = ScalarType.Float32) =>
        new(seed, withBias: c.SupportsVectors, dtype);

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void First_step_decreases_a_convex_quadratic(string name)
    {
        var c = OptimizerCatalog.Get(name);
        using var problem = ProblemFor(c);
        using var optimizer = c.Create(problem.Named, c.Lr);
        double before = problem.CurrentLoss();

        double after = problem.Train(optimizer, steps: 1);

        Assert.True(after < before, $"{name}: loss {before} → {after} after one step");
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void Converges_on_a_small_least_squares_problem(string name)
    {
        var c = OptimizerCatalog.Get(name);
        using var problem = ProblemFor(c);
        using var optimizer = c.Create(problem.Named, c.Lr);
        double initial = problem.CurrentLoss();

        double final = problem.Train(optimizer, steps: 300);

        Assert.True(final < 0.02 * initial, $"{name}: loss {initial} → {final} after 300 steps");
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void A_group_with_zero_learning_rate_does_not_move(string name)
    {
        var c = OptimizerCatalog.Get(name);
        var generator = new Generator(3);
        using var a = new Parameter(randn(new long[] { 4, 6 }, generator: generator));
        using var b = new Parameter(randn(new long[] { 4, 6 }, generator: generator));
        using var aBefore = a.detach().clone();
        using var bBefore = b.detach().clone();
        using var optimizer = c.CreateTwoGroups(a, b, c.Lr, 0.0);

        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (a.square().sum() + b.square().sum()).backward();
            optimizer.step();
        }

        Assert.False(TensorAssert.Identical(a, aBefore), $"{name}: the group with lr > 0 did not move");
        Assert.True(TensorAssert.Identical(b, bBefore), $"{name}: the group with lr = 0 moved");
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void A_parameter_without_gradient_does_not_move_and_gets_no_state(string name)
    {
        var c = OptimizerCatalog.Get(name);
        using var problem = ProblemFor(c);
        using var idle = new Parameter(randn(5, 3));
        using var idleBefore = idle.detach().clone();
        var named = problem.Named.Append(("idle.weight", idle)).ToList();
        using var optimizer = c.Create(named, c.Lr);

        problem.Train(optimizer, steps: 3);

        Assert.True(TensorAssert.Identical(idle, idleBefore), $"{name}: a parameter without gradient moved");
        Assert.Null(idle.grad);
        if (c.LazyState) Assert.False(HasTensorState(optimizer, idle), $"{name}: state was allocated for a parameter that never had a gradient");
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void An_all_zero_gradient_leaves_everything_finite(string name)
    {
        var c = OptimizerCatalog.Get(name);
        using var problem = ProblemFor(c);
        using var optimizer = c.Create(problem.Named, c.Lr);

        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (problem.Loss() * 0.0).backward();
            optimizer.step();
        }

        foreach (var p in problem.All) Assert.True(p.isfinite().all().item<bool>(), $"{name}: a parameter became non-finite");
        Assert.True(double.IsFinite(problem.CurrentLoss()));
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void Real_gradients_after_200_zero_ones_take_steps_no_longer_than_a_fresh_starts(string name)
    {
        // A parameter unused for a while has all-zero gradients (zero_grad zeroes in place). When it is
        // used again, its steps must look like a fresh start's. TorchSharp's AdamW, whose bias correction
        // keeps counting through the zeros, takes steps up to about 1.4× a fresh start's; we allow 3×.
        const int ZeroSteps = 200;
        const double allowedRatio = 3;
        var c = OptimizerCatalog.Get(name);
        using var idle = ProblemFor(c);
        using var fresh = ProblemFor(c);
        using var afterZeros = c.Create(idle.Named, c.Lr);
        using var fromStart = c.Create(fresh.Named, c.Lr);
        using (var scope = NewDisposeScope()) (idle.Loss() * 0.0).backward();   // all-zero gradients, kept for every step
        for (int i = 0; i < ZeroSteps; i++) afterZeros.step();

        for (int step = 1; step <= 5; step++)
        {
            var (idleBefore, freshBefore) = (idle.Snapshot(), fresh.Snapshot());
            idle.Train(afterZeros, steps: 1);
            fresh.Train(fromStart, steps: 1);
            double moved = LargestMove(idleBefore, idle.All), freshMoved = LargestMove(freshBefore, fresh.All);

            Assert.True(double.IsFinite(moved) && moved <= allowedRatio * freshMoved,
                $"{name}: real step {step} after {ZeroSteps} zero gradients moved up to {moved}, a fresh start {freshMoved}");
        }
    }

    private static double LargestMove(Tensor[] before, IEnumerable<Parameter> after) =>
        before.Zip(after).Max(pair => TensorAssert.MaxAbsDifference(pair.First, pair.Second));

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void Saving_at_step_k_and_loading_into_a_fresh_optimizer_continues_the_run_exactly(string name)
    {
        var c = OptimizerCatalog.Get(name);
        using var uninterrupted = ProblemFor(c);
        using (var optimizer = c.Create(uninterrupted.Named, c.Lr)) uninterrupted.Train(optimizer, steps: 6);

        using var resumed = ProblemFor(c);
        using var saved = new MemoryStream();
        using (var first = c.Create(resumed.Named, c.Lr))
        {
            resumed.Train(first, steps: 3);
            using var writer = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true);
            first.save_state_dict(writer);
        }
        saved.Position = 0;
        using (var second = c.Create(resumed.Named, 123.0)) // the saved lr must win
        {
            using var reader = new BinaryReader(saved);
            second.load_state_dict(reader);
            resumed.Train(second, steps: 3);
        }

        foreach (var (expected, actual) in uninterrupted.All.Zip(resumed.All))
            Assert.True(TensorAssert.Identical(expected, actual), $"{name}: resumed run differs from the uninterrupted one");
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void The_same_seed_gives_identical_results(string name)
    {
        var c = OptimizerCatalog.Get(name);
        Tensor[] Run()
        {
            using var problem = ProblemFor(c, seed: 11);
            using var optimizer = c.Create(problem.Named, c.Lr);
            problem.Train(optimizer, steps: 5);
            return problem.Snapshot();
        }

        var first = Run();
        var second = Run();

        foreach (var (a, b) in first.Zip(second)) Assert.True(TensorAssert.Identical(a, b), $"{name}: two runs with one seed differ");
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void Float32_and_float64_parameters_keep_their_dtype(string name)
    {
        var c = OptimizerCatalog.Get(name);
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var problem = ProblemFor(c, dtype: dtype);
            using var optimizer = c.Create(problem.Named, c.Lr);
            double before = problem.CurrentLoss();

            double after = problem.Train(optimizer, steps: 3);

            foreach (var p in problem.All) Assert.Equal(dtype, p.dtype);
            Assert.True(after < before, $"{name} in {dtype}: loss {before} → {after}");
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.Names), MemberType = typeof(OptimizerCatalog))]
    public void A_thousand_steps_do_not_grow_the_number_of_live_native_tensors(string name)
    {
        var c = OptimizerCatalog.Get(name);
        using var problem = ProblemFor(c);
        using var optimizer = c.Create(problem.Named, c.Lr * 0.1);
        problem.Train(optimizer, steps: 10); // state is allocated by now
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        problem.Train(optimizer, steps: 1000);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.True(after <= before, $"{name}: live tensors grew from {before} to {after} over 1,000 steps");
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.OursNames), MemberType = typeof(OptimizerCatalog))]
    public void A_learning_rate_set_to_NaN_after_construction_is_refused_at_the_next_step(string name)
    {
        var c = OptimizerCatalog.Get(name);
        using var problem = ProblemFor(c);
        using var optimizer = c.Create(problem.Named, c.Lr);
        problem.Train(optimizer, steps: 1);
        var before = problem.Snapshot();
        optimizer.ParamGroups.Last().LearningRate = double.NaN;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => problem.Train(optimizer, steps: 1));

        Assert.Equal("lr", error.ParamName);
        Assert.Contains("NaN", error.Message);
        Assert.Contains("group", error.Message);
        foreach (var (expected, actual) in before.Zip(problem.All)) Assert.True(TensorAssert.Identical(expected, actual), $"{name}: a parameter moved");
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.OursNames), MemberType = typeof(OptimizerCatalog))]
    public void Stepping_a_disposed_optimizer_says_it_was_disposed(string name)
    {
        var c = OptimizerCatalog.Get(name);
        using var problem = ProblemFor(c);
        var optimizer = c.Create(problem.Named, c.Lr);
        problem.Train(optimizer, steps: 1);
        optimizer.Dispose();

        var error = Assert.Throws<ObjectDisposedException>(() => problem.Train(optimizer, steps: 1));

        Assert.Contains("disposed", error.Message);
    }

    private static bool HasTensorState(OptimizerHelper optimizer, Parameter parameter)
    {
        var dict = optimizer.state_dict();
        int index = 0;
        foreach (var group in optimizer.ParamGroups.Cast<ParamGroup>())
            foreach (var p in group.Parameters)
            {
                if (p.Handle == parameter.Handle)
                    return dict.State[index] switch
                    {
                        ParameterState s => s.IsInitialized,
                        SGD.State s => s.momentum_buffer is not null,
                        var other => throw new InvalidOperationException($"No state probe for {other.GetType().FullName}."),
                    };
                index++;
            }
        throw new InvalidOperationException("Parameter not found in the optimizer.");
    }
}
