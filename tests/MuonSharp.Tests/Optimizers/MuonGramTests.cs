using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Input = MuonSharp.Tests.OrthogonalizeGramTests.Input;

namespace MuonSharp.Tests.Optimizers;

/// <summary>
/// Muon's Gram path (float32 Gram Newton–Schulz written into the parameter by one addmm_, decay and
/// lr in its β/α) against the same steps with float64 Newton–Schulz. Tolerance fixed before the first
/// run: the parameter's total movement within 1e-3 (relative Frobenius) of the float64 step's.
/// </summary>
public sealed class MuonGramTests
{
    private const double Tolerance = 1e-3;

    /// <summary>Parameter movement over three steps with fixed gradients of the given kind.</summary>
    private static Tensor Movement(long[] shape, Input input, bool nesterov, double weightDecay, Action<Muon.Options, Muon> configure)
    {
        long rows = shape[0], cols = shape.Skip(1).Aggregate(1L, (x, y) => x * y);
        using var parameter = new Parameter(OrthogonalizeGramTests.Make(Input.Gaussian, rows, cols, seed: 7).reshape(shape) * 0.02f);
        using var start = parameter.detach().clone();
        var options = new Muon.Options { LearningRate = 0.02, momentum = 0.95, nesterov = nesterov, weight_decay = weightDecay };
        using var optimizer = new Muon(new[] { new Muon.ParamGroup(new[] { parameter }) }, options);
        configure(options, optimizer);
        for (int step = 0; step < 3; step++)
        {
            parameter.grad = OrthogonalizeGramTests.Make(input, rows, cols, seed: 20 + step).reshape(shape);
            optimizer.step();
        }
        return (parameter.detach() - start).to(ScalarType.Float64);
    }

    private static double RelativeDistance(Tensor actual, Tensor expected) => ((actual - expected).norm() / expected.norm()).item<double>();

    public static TheoryData<long[], Input, bool, double> Cases()
    {
        var data = new TheoryData<long[], Input, bool, double>();
        foreach (var input in Enum.GetValues<Input>())
        {
            data.Add(new long[] { 128, 9216 }, input, true, 0.0);      // the MNIST CNN's fc1
            data.Add(new long[] { 64, 32, 3, 3 }, input, true, 0.1);    // its second conv, read as [64, 288]
            data.Add(new long[] { 288, 64 }, input, false, 0.1);       // tall, plain momentum
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Three_Gram_steps_move_the_parameter_as_float64_Newton_Schulz_does(long[] shape, Input input, bool nesterov, double weightDecay)
    {
        using var gram = Movement(shape, input, nesterov, weightDecay, (_, _) => { });
        using var exact = Movement(shape, input, nesterov, weightDecay, (options, _) => options.ns_dtype = ScalarType.Float64);

        Assert.InRange(RelativeDistance(gram, exact), 0, Tolerance);
    }

    [Fact]
    public void Without_the_Gram_path_the_default_bfloat16_step_is_outside_that_tolerance()
    {
        // The comparison can fail, and the test above did take the Gram path: the same steps in
        // bfloat16 Newton–Schulz land farther from float64 than the Gram path is allowed to.
        long[] shape = { 128, 9216 };
        using var plain = Movement(shape, Input.Gaussian, true, 0.0, (_, muon) => muon.UseGramNewtonSchulz = false);
        using var exact = Movement(shape, Input.Gaussian, true, 0.0, (options, _) => options.ns_dtype = ScalarType.Float64);

        Assert.True(RelativeDistance(plain, exact) > Tolerance);
    }
}
