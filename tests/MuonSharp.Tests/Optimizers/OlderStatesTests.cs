using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

/// <summary>
/// States saved before NorMuon and cautious weight decay existed (no <c>cautious_wd</c>, <c>normuon</c>,
/// <c>normuon_beta2</c>; one tensor per Muon parameter) still load, with the defaults that reproduce the
/// old behaviour; a state missing anything else is still refused.
/// </summary>
public sealed class OlderStatesTests
{
    /// <summary>Muon's hyperparameters written as the format did before the added ones, minus <paramref name="leaveOut"/>.</summary>
    private static byte[] OlderHyperparameters(Muon.Options values, string? leaveOut = null)
    {
        var older = HyperparameterDeclaration.Of(typeof(Muon.Options)).Where(d => !d.AbsentInOlderStates && d.Name != leaveOut).ToList();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(values.InitialLearningRate);
            writer.Write(older.Count);
            foreach (var declared in older)
            {
                writer.Write(declared.Name);
                declared.Write(writer, declared.Get(values)!);
            }
        }
        return stream.ToArray();
    }

    private static Muon.Options Filled(Action<Muon.Options> set)
    {
        var options = new Muon.Options();
        set(options);
        options.FillFrom(null);
        options.InitialLearningRate = options.LearningRate!.Value;
        return options;
    }

    [Fact]
    public void Older_hyperparameters_load_with_the_added_ones_at_their_defaults()
    {
        var saved = Filled(o => { o.momentum = 0.8; o.LearningRate = 0.01; });
        var loaded = new Muon.Options();

        loaded.ReadValues(new BinaryReader(new MemoryStream(OlderHyperparameters(saved))));

        Assert.Equal((0.8, 0.01), (loaded.momentum!.Value, loaded.LearningRate!.Value));
        Assert.Equal((false, false, Muon.DefaultNorMuonBeta2), (loaded.cautious_wd!.Value, loaded.normuon!.Value, loaded.normuon_beta2!.Value));
    }

    [Fact]
    public void Older_hyperparameters_without_one_that_always_existed_are_refused()
    {
        var saved = Filled(_ => { });
        var loaded = new Muon.Options();

        var error = Assert.Throws<InvalidDataException>(() => loaded.ReadValues(new BinaryReader(new MemoryStream(OlderHyperparameters(saved, leaveOut: "momentum")))));

        Assert.Contains("lacks Muon's momentum", error.Message);
    }

    /// <summary>A Muon parameter's state as older versions wrote it: shape, dtype, layout, step, counters, then one tensor (the momentum).</summary>
    private static byte[] OlderMuonState(Parameter parameter, Tensor? momentum, int slots = 1)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            TensorEncoding.WriteShape(writer, parameter.shape);
            writer.Write((int)parameter.dtype);
            TensorEncoding.WriteLongs(writer, Array.Empty<long>());
            writer.Write(4L);                                          // step
            TensorEncoding.WriteLongs(writer, Array.Empty<long>());    // counters
            writer.Write(slots);
            for (int i = 0; i < slots; i++) TensorEncoding.WriteOptional(writer, momentum);
        }
        return stream.ToArray();
    }

    [Fact]
    public void An_older_muon_state_with_one_tensor_loads_with_an_empty_second_moment()
    {
        using var parameter = new Parameter(randn(3, 5));
        using var momentum = randn(3, 5);
        using var optimizer = Optim.Muon(new[] { parameter });
        var state = optimizer.StateOf(parameter);

        var staged = (Muon.State)state.ReadStaged(new BinaryReader(new MemoryStream(OlderMuonState(parameter, momentum))), "p", null, null)!;
        state.Adopt(staged);

        Assert.Equal(4, state.step);
        Assert.True(TensorAssert.Identical(momentum, state.momentum_buffer!));
        Assert.Null(state.second_momentum_buffer);
    }

    [Fact]
    public void A_muon_state_with_more_tensors_than_muon_keeps_is_refused()
    {
        using var parameter = new Parameter(randn(3, 5));
        using var momentum = randn(3, 5);
        using var optimizer = Optim.Muon(new[] { parameter });

        var error = Assert.Throws<InvalidDataException>(() =>
            optimizer.StateOf(parameter).ReadStaged(new BinaryReader(new MemoryStream(OlderMuonState(parameter, momentum, slots: 3))), "p", null, null));

        Assert.Contains("3 tensors", error.Message);
    }
}
