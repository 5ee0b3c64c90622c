using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static MuonSharp.Tests.Optimizers.OptimizerTestKit;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers.Conformance;

/// <summary>
/// One NaN or ±Inf gradient entry (an overflow under mixed precision) must not poison a parameter or
/// its state: by default the step is refused before anything changes, naming the parameter and the
/// step; with <see cref="NonFiniteGradientPolicy.Skip"/> the affected parameters sit the step out.
/// </summary>
public sealed class NonFiniteGradientTests
{
    public static TheoryData<string, double> OursWithBadValues()
    {
        var data = new TheoryData<string, double>();
        foreach (var c in OptimizerCatalog.All.Where(c => !c.Reference))
            foreach (var bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
                data.Add(c.Name, bad);
        return data;
    }

    [Theory]
    [MemberData(nameof(OursWithBadValues))]
    public void A_non_finite_gradient_entry_is_refused_naming_the_parameter_and_step_before_anything_changes(string name, double bad)
    {
        // Given two steps taken (state exists), when one entry of the weight's gradient is non-finite,
        // then step() throws, and every parameter and every byte of the state are as before — even
        // at lr = 0 the old code turned the whole matrix (and the momentum, for good) into NaN.
        var c = OptimizerCatalog.Get(name);
        using var problem = new RegressionProblem(seed: 7, withBias: c.SupportsVectors);
        using var optimizer = c.Create(problem.Named, c.Lr);
        problem.Train(optimizer, steps: 2);
        var (parameters, state) = (problem.Snapshot(), SaveState(optimizer));
        optimizer.zero_grad();
        problem.Loss().backward();
        using (no_grad()) problem.Weight.grad![1, 2] = tensor(bad, problem.Weight.dtype);

        var error = Record.Exception(() => optimizer.step());

        Assert.NotNull(error);
        Assert.Equal("NonFiniteGradientException", error!.GetType().Name);
        Assert.Contains("'hidden.weight' with shape [4, 6]", error.Message);
        Assert.Contains("step 3", error.Message);
        Assert.DoesNotContain("hidden.bias", error.Message);
        foreach (var (before, after) in parameters.Zip(problem.All)) Assert.True(TensorAssert.Identical(before, after), $"{name}: a parameter changed");
        Assert.Equal(state, SaveState(optimizer));
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.OursNames), MemberType = typeof(OptimizerCatalog))]
    public void With_the_skip_policy_only_the_affected_parameter_sits_the_step_out_and_the_skip_is_counted(string name)
    {
        // Given two matrices a and b, when a's gradient has a NaN under the skip policy, then a and its
        // state stay as they were, b moves exactly as if a had had no gradient, SkippedSteps counts the
        // step, and the next finite step updates both.
        var c = OptimizerCatalog.Get(name);
        var generator = new Generator(5);
        using var start = randn(new long[] { 2, 4, 6 }, generator: generator);
        using var grads = randn(new long[] { 2, 2, 4, 6 }, generator: generator);
        var (a, b) = (ParameterFrom(start[0]), ParameterFrom(start[1]));
        var (reference, referenceB) = (ParameterFrom(start[0]), ParameterFrom(start[1]));
        using var optimizer = (OptimizerBase)c.CreateTwoGroups(a, b, c.Lr, c.Lr);
        using var withoutA = c.CreateTwoGroups(reference, referenceB, c.Lr, c.Lr);
        optimizer.NonFiniteGradients = NonFiniteGradientPolicy.Skip;

        SetGrad(a, grads[0, 0]);
        using (no_grad()) a.grad![0, 0] = tensor(float.NaN);
        SetGrad(b, grads[0, 1]);
        SetGrad(referenceB, grads[0, 1]);
        optimizer.step();
        withoutA.step();

        Assert.True(TensorAssert.Identical(a, start[0]), $"{name}: the parameter with a NaN gradient moved");
        Assert.True(TensorAssert.Identical(b, referenceB), $"{name}: the other parameter did not step as without the skipped one");
        Assert.Equal(0, ((ParameterState)optimizer.state_dict().State[0]).step);
        Assert.Equal(1, optimizer.SkippedSteps);

        SetGrad(a, grads[1, 0]);
        SetGrad(b, grads[1, 1]);
        optimizer.step();

        Assert.False(TensorAssert.Identical(a, start[0]), $"{name}: the next finite step did not update the skipped parameter");
        Assert.True(a.isfinite().all().ToBoolean() && b.isfinite().all().ToBoolean());
        Assert.Equal(1, optimizer.SkippedSteps);
    }

    [Fact]
    public void The_error_lists_every_parameter_with_a_non_finite_gradient_and_what_it_holds()
    {
        using var scope = NewDisposeScope();
        var (a, b, c) = (new Parameter(ones(3, 3)), new Parameter(ones(3, 3)), new Parameter(ones(2, 2)));
        using var optimizer = Optim.Muon(new[] { ("first", a), ("second", b), ("third", c) });
        SetGrad(a, full(3, 3, float.NaN));
        SetGrad(b, ones(3, 3));
        SetGrad(c, tensor(new[,] { { 1f, float.PositiveInfinity }, { float.NegativeInfinity, float.NaN } }));

        var error = Assert.Throws<NonFiniteGradientException>(() => optimizer.step());

        Assert.Equal(new[] { "'first' with shape [3, 3]", "'third' with shape [2, 2]" }, error.Parameters);
        Assert.Contains("'first' with shape [3, 3] at step 1: 9 NaN", error.Message);
        Assert.Contains("'third' with shape [2, 2] at step 1: 1 NaN, 2 infinite", error.Message);
        Assert.Contains(nameof(NonFiniteGradientPolicy.Skip), error.Message);
    }

    [Fact]
    public void Finite_gradients_whose_sum_overflows_are_not_mistaken_for_non_finite_ones()
    {
        // The fast check sums each gradient; 3e38 + 3e38 overflows float32, but every entry is finite.
        using var scope = NewDisposeScope();
        var weight = new Parameter(zeros(2, 2));
        using var optimizer = Optim.Muon(new[] { weight }, lr: 0.1);
        SetGrad(weight, full(2, 2, 3e38f));

        optimizer.step();

        Assert.True(weight.isfinite().all().ToBoolean());
        Assert.NotEqual(0.0, weight.abs().sum().ToDouble());
    }

    [Fact]
    public void A_NaN_is_found_among_gradients_of_different_dtypes()
    {
        using var scope = NewDisposeScope();
        var (single, twice, half) = (new Parameter(zeros(3)), new Parameter(zeros(3, dtype: ScalarType.Float64)), new Parameter(zeros(3, dtype: ScalarType.BFloat16)));
        using var optimizer = Optim.Lion(new[] { ("single", single), ("double", twice), ("bfloat16", half) });
        SetGrad(single, ones(3));
        SetGrad(twice, ones(3));
        SetGrad(half, tensor(new[] { 1f, float.NaN, 1f }));

        var error = Assert.Throws<NonFiniteGradientException>(() => optimizer.step());

        Assert.Equal(new[] { "'bfloat16' with shape [3]" }, error.Parameters);
    }
}
