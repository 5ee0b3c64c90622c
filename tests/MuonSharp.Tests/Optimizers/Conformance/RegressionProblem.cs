using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers.Conformance;

/// <summary>
/// Least squares Y = X·W*ᵀ (+ b*) with a seeded, well-conditioned design: convex, so every
/// reasonable optimizer must descend and converge on it. The same seed gives the same problem.
/// </summary>
internal sealed class RegressionProblem : IDisposable
{
    public const long Samples = 32, Inputs = 6, Outputs = 4;

    private readonly Tensor _x, _y;

    public RegressionProblem(int seed, bool withBias, ScalarType dtype = ScalarType.Float32)
    {
        var generator = new Generator((ulong)seed);
        _x = randn(new[] { Samples, Inputs }, dtype: dtype, generator: generator);
        var target = randn(new[] { Outputs, Inputs }, dtype: dtype, generator: generator) * 0.5;
        _y = _x.matmul(target.T);
        Weight = new Parameter(randn(new[] { Outputs, Inputs }, dtype: dtype, generator: generator) * 0.1);
        if (withBias)
        {
            var targetBias = randn(new[] { Outputs }, dtype: dtype, generator: generator) * 0.5;
            _y += targetBias;
            Bias = new Parameter(zeros(new[] { Outputs }, dtype: dtype));
        }
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    /// <summary>named_parameters() of the problem, as a model would give them.</summary>
    public IReadOnlyList<(string name, Parameter parameter)> Named =>
        Bias is null ? new[] { ("hidden.weight", Weight) } : new[] { ("hidden.weight", Weight), ("hidden.bias", Bias) };

    public IEnumerable<Parameter> All => Named.Select(p => p.parameter);

    /// <summary>Mean squared error of the current parameters (a scalar tensor with a graph).</summary>
    public Tensor Loss()
    {
        var prediction = _x.matmul(Weight.T);
        if (Bias is not null) prediction += Bias;
        return (prediction - _y).square().mean();
    }

    /// <summary>zero_grad → loss → backward → step, <paramref name="steps"/> times; returns the final loss.</summary>
    public double Train(torch.optim.Optimizer optimizer, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Loss().backward();
            optimizer.step();
        }
        return CurrentLoss();
    }

    public double CurrentLoss()
    {
        using var scope = NewDisposeScope();
        return Loss().ToDouble();
    }

    /// <summary>Copies of the current parameter values, detached.</summary>
    public Tensor[] Snapshot() => All.Select(p => p.detach().clone()).ToArray();

    public void Dispose()
    {
        _x.Dispose();
        _y.Dispose();
        Weight.Dispose();
        Bias?.Dispose();
    }
}
