using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Benchmarks;

/// <summary>
/// The models whose parameters the optimizer-step benchmarks update, by the name the benchmarks'
/// <c>Model</c> parameter gives: <see cref="Gpt256"/>, <see cref="Gpt128"/> and <see cref="Cnn"/>.
/// </summary>
public static class ParameterSets
{
    /// <summary>The small GPT at width 256.</summary>
    public const string Gpt256 = "gpt256";

    /// <summary>The small GPT at width 128 (<c>002</c>'s).</summary>
    public const string Gpt128 = "gpt128";

    /// <summary>The MNIST CNN.</summary>
    public const string Cnn = "mnist-cnn";

    /// <summary>Every parameter's name and shape.</summary>
    /// <param name="set">One of the names above.</param>
    public static IEnumerable<(string Name, long[] Shape)> Shapes(string set) => Find(set).Shapes();

    /// <summary>The matrices Muon orthogonalizes, flattened to [rows, cols].</summary>
    /// <param name="set">One of the names above.</param>
    public static IEnumerable<long[]> MuonShapes(string set) => Find(set).MuonShapes();

    private static (Func<IEnumerable<(string Name, long[] Shape)>> Shapes, Func<IEnumerable<long[]>> MuonShapes) Find(string set) => set switch
    {
        Gpt256 => (() => SmallGpt.Shapes(256), () => SmallGpt.MuonShapes(256)),
        Gpt128 => (() => SmallGpt.Shapes(128), () => SmallGpt.MuonShapes(128)),
        Cnn => (MnistCnn.Shapes, MnistCnn.MuonShapes),
        _ => throw new ArgumentException($"Unknown parameter set '{set}'; accepted: {Gpt256}, {Gpt128}, {Cnn}.", nameof(set)),
    };

    /// <summary>
    /// Fresh float32 parameters (N(0, 0.02²), 1-D ones 1) with a fixed N(0, 10⁻⁶) gradient each.
    /// Checks that the default routing sends exactly <see cref="MuonShapes"/> to Muon, so the step
    /// model counts what the optimizer does.
    /// </summary>
    /// <param name="set">One of the names above.</param>
    /// <param name="seed">Seed of the values.</param>
    public static List<(string Name, Parameter Parameter)> Create(string set, int seed = 0)
    {
        var generator = new Generator((ulong)seed);
        var parameters = new List<(string, Parameter)>();
        foreach (var (name, shape) in Shapes(set))
        {
            var value = shape.Length == 1 ? ones(shape) : randn(shape, generator: generator) * 0.02;
            var parameter = new Parameter(value);
            parameter.grad = randn(shape, generator: generator) * 1e-3;
            parameters.Add((name, parameter));
        }

        static string Flat(long[] s) => $"{s[0]}x{s.Skip(1).Aggregate(1L, (a, b) => a * b)}";
        var routedToMuon = ParameterRouting.Default().Assign(parameters).Where(r => r.Route == Route.Muon).Select(r => Flat(r.Parameter.shape));
        if (!routedToMuon.SequenceEqual(MuonShapes(set).Select(Flat)))
            throw new InvalidOperationException($"The default routing no longer sends exactly the expected matrices of {set} to Muon; update its MuonShapes.");
        return parameters;
    }
}
