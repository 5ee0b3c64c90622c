using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static MuonSharp.Tests.Optimizers.OptimizerTestKit;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

public sealed class LionTests
{
    [Fact]
    public void Three_steps_equal_the_formula_written_out_in_float64()
    {
        // Given a matrix, a vector and a scalar with weight decay, when Lion takes three steps,
        // then every entry equals Chen et al. (2023, Algorithm 2) computed here entry by entry.
        using var scope = NewDisposeScope();
        const double lr = 0.01, beta1 = 0.8, beta2 = 0.95, wd = 0.3;
        var generator = new Generator(11);
        var parameters = new[]
        {
            GaussianParameter(new long[] { 3, 4 }, generator),
            GaussianParameter(new long[] { 5 }, generator),
            GaussianParameter(Array.Empty<long>(), generator),
        };
        var expected = parameters.Select(Values).ToArray();
        var momentum = expected.Select(p => new double[p.Length]).ToArray();
        var optimizer = Optim.Lion(parameters, lr, beta1, beta2, wd);

        for (int step = 0; step < 3; step++)
        {
            for (int k = 0; k < parameters.Length; k++)
            {
                var grad = Gaussian(parameters[k].shape, generator);
                SetGrad(parameters[k], grad);
                var g = Values(grad);
                for (int i = 0; i < g.Length; i++)
                {
                    double c = beta1 * momentum[k][i] + (1 - beta1) * g[i];
                    expected[k][i] = expected[k][i] * (1 - lr * wd) - lr * Math.Sign(c);
                    momentum[k][i] = beta2 * momentum[k][i] + (1 - beta2) * g[i];
                }
            }
            optimizer.step();
        }

        for (int k = 0; k < parameters.Length; k++)
        {
            var actual = Values(parameters[k]);
            var m = Values(optimizer.StateOf(parameters[k]).exp_avg!);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.Equal(expected[k][i], actual[i], 1e-12);
                Assert.Equal(momentum[k][i], m[i], 1e-12);
            }
            Assert.Equal(3, optimizer.StateOf(parameters[k]).step);
        }
    }

    [Fact]
    public void Descends_on_an_ill_conditioned_convex_quadratic()
    {
        // Given f(W) = ½‖D(W − W*)‖² with curvatures spread over 100×, when Lion runs 300 steps from zero,
        // then the loss falls below 1% of its start (sign steps ignore the curvature's scale).
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var target = Gaussian(new long[] { 6, 5 }, generator, ScalarType.Float32);
        var curvature = logspace(0, 2, 6).to(ScalarType.Float32).unsqueeze(1);      // [6, 1]
        var weight = new Parameter(zeros(6, 5));
        var optimizer = Optim.Lion(new[] { weight }, lr: 0.01);
        Func<Tensor> loss = () => (curvature.sqrt() * (weight - target)).square().sum() / 2;
        double initial = loss().ToDouble();

        for (int i = 0; i < 300; i++)
        {
            optimizer.zero_grad();
            loss().backward();
            optimizer.step();
        }

        Assert.True(loss().ToDouble() < 0.01 * initial, $"loss {loss().ToDouble()} vs initial {initial}");
    }

    [Fact]
    public void A_parameter_without_gradient_and_its_state_stay_unchanged()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var (a, b) = (GaussianParameter(new long[] { 2, 3 }, generator), GaussianParameter(new long[] { 4 }, generator));
        var before = Values(b);
        var optimizer = Optim.Lion(new[] { a, b }, lr: 0.1);

        SetGrad(a, ones(2, 3));
        optimizer.step();

        Assert.Equal(before, Values(b));
        Assert.False(optimizer.StateOf(b).IsInitialized);
        Assert.Equal(0, optimizer.StateOf(b).step);
    }

    [Fact]
    public void Saved_state_loaded_into_a_fresh_optimizer_continues_the_same_run()
    {
        // Given two identical parameters, when one run is checkpointed after two steps and resumed
        // in a new optimizer, then after five steps both equal the uninterrupted run.
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var start = Gaussian(new long[] { 3, 3 }, generator);
        var grads = Enumerable.Range(0, 5).Select(_ => Gaussian(new long[] { 3, 3 }, generator)).ToArray();
        var (straight, resumed) = (ParameterFrom(start), ParameterFrom(start));
        var first = Optim.Lion(new[] { straight }, lr: 0.05, weight_decay: 0.1);
        var second = Optim.Lion(new[] { resumed }, lr: 0.05, weight_decay: 0.1);

        for (int i = 0; i < 5; i++) { SetGrad(straight, grads[i]); first.step(); }
        for (int i = 0; i < 2; i++) { SetGrad(resumed, grads[i]); second.step(); }
        var checkpoint = SaveState(second);
        var third = Optim.Lion(new[] { resumed }, lr: 0.05, weight_decay: 0.1);
        LoadState(third, checkpoint);
        for (int i = 2; i < 5; i++) { SetGrad(resumed, grads[i]); third.step(); }

        Assert.Equal(0.0, MaxAbsDiff(straight, resumed));
        Assert.Equal(5, third.StateOf(resumed).step);
    }

    [Fact]
    public void Betas_are_read_and_set_through_IBetas_on_the_optimizer_and_its_groups()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(9);
        var (a, b) = (GaussianParameter(new long[] { 2, 2 }, generator), GaussianParameter(new long[] { 2 }, generator));
        var groups = new[]
        {
            new Lion.ParamGroup(new[] { a }),
            new Lion.ParamGroup(new[] { b }, new Lion.Options { beta1 = 0.5 }),
        };
        var optimizer = Optim.Lion(groups, beta1: 0.9, beta2: 0.99);

        torch.optim.IBetas defaults = optimizer;
        Assert.Equal((0.9, 0.99), defaults.Betas);
        Assert.Equal((0.9, 0.99), groups[0].Betas);
        Assert.Equal((0.5, 0.99), groups[1].Betas);

        groups[1].Betas = (0.7, 0.9);
        Assert.Equal(0.7, groups[1].Options.beta1);
        Assert.Equal(0.9, groups[1].Options.beta2);
    }

    public static TheoryData<string, double, string> BadHyperparameters => new()
    {
        { "lr", -1e-3, "lr" },
        { "lr", double.NaN, "lr" },
        { "beta1", 1.0, "beta1" },
        { "beta1", -0.1, "beta1" },
        { "beta2", 1.5, "beta2" },
        { "beta2", double.NaN, "beta2" },
        { "weight_decay", -0.01, "weight_decay" },
        { "weight_decay", double.PositiveInfinity, "weight_decay" },
    };

    [Theory]
    [MemberData(nameof(BadHyperparameters))]
    public void A_bad_hyperparameter_is_refused_with_its_name_and_value(string name, double value, string paramName)
    {
        using var scope = NewDisposeScope();
        var parameter = new Parameter(zeros(2, 2));
        var (lr, beta1, beta2, wd) = (1e-4, 0.9, 0.99, 0.0);
        switch (name)
        {
            case "lr": lr = value; break;
            case "beta1": beta1 = value; break;
            case "beta2": beta2 = value; break;
            default: wd = value; break;
        }

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lion(new[] { parameter }, lr, beta1, beta2, wd));

        Assert.Equal(paramName, error.ParamName);
        Assert.Contains($"Invalid {name}: {value}.", error.Message);
    }

    [Fact]
    public void A_bad_value_in_a_parameter_group_is_refused_too()
    {
        using var scope = NewDisposeScope();
        var group = new Lion.ParamGroup(new[] { new Parameter(zeros(3)) }, new Lion.Options { beta2 = 1.0 });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Optim.Lion(new[] { group }));

        Assert.Equal("beta2", error.ParamName);
        Assert.Contains($"Invalid beta2: {1.0}.", error.Message);
    }
}
