using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static MuonSharp.Tests.Optimizers.OptimizerTestKit;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers.Conformance;

/// <summary>
/// Loading a saved state either succeeds completely or changes nothing: shapes, dtypes and the
/// optimizer are checked before anything is overwritten, and a file that ends early is refused
/// whole. A checkpoint of another model must fail at load time with a message that says what
/// differed — not as a bare size mismatch at the next step().
/// </summary>
public sealed class StateLoadingTests
{
    /// <summary>"hidden.weight" [rows, 6] (and "hidden.bias" [rows] where the optimizer takes vectors), seeded.</summary>
    private static (string name, Parameter parameter)[] Model(OptimizerCase c, long rows, ScalarType dtype = ScalarType.Float32, int seed = 1)
    {
        var generator = new Generator((ulong)seed);
        var weight = ("hidden.weight", new Parameter(randn(new[] { rows, 6L }, dtype: dtype, generator: generator)));
        return c.SupportsVectors ? new[] { weight, ("hidden.bias", new Parameter(randn(new[] { rows }, dtype: dtype, generator: generator))) } : new[] { weight };
    }

    /// <summary>Steps with seeded random gradients, so that every slot of the state is filled.</summary>
    private static void Train(OptimizerHelper optimizer, (string name, Parameter parameter)[] model, int steps, int seed = 2)
    {
        var generator = new Generator((ulong)seed);
        for (int i = 0; i < steps; i++)
        {
            foreach (var (_, p) in model) SetGrad(p, randn(p.shape, dtype: p.dtype, generator: generator));
            optimizer.step();
        }
    }

    /// <summary>Everything a failed load must leave as it was: parameters, every byte of the state, every group's learning rates.</summary>
    private static (Tensor[] Parameters, byte[] State, (double, double)[] Rates) Fingerprint(OptimizerHelper optimizer, (string name, Parameter parameter)[] model) =>
        (model.Select(p => p.parameter.detach().clone()).ToArray(), SaveState(optimizer),
         optimizer.ParamGroups.Select(g => (g.LearningRate, g.InitialLearningRate)).ToArray());

    private static void AssertUnchanged((Tensor[] Parameters, byte[] State, (double, double)[] Rates) before, OptimizerHelper optimizer, (string name, Parameter parameter)[] model)
    {
        var after = Fingerprint(optimizer, model);
        Assert.Equal(before.Rates, after.Rates);
        Assert.Equal(before.State, after.State);
        foreach (var (expected, actual) in before.Parameters.Zip(after.Parameters)) Assert.True(TensorAssert.Identical(expected, actual));
    }

    /// <summary>A trained optimizer over a model with <paramref name="rows"/> rows, and its saved state.</summary>
    private static byte[] SavedFrom(OptimizerCase c, long rows, ScalarType dtype = ScalarType.Float32)
    {
        var model = Model(c, rows, dtype, seed: 3);
        using var source = c.Create(model, c.Lr);
        Train(source, model, steps: 3);
        return SaveState(source);
    }

    /// <summary>An optimizer over a 4-row model after two steps (its lr half the catalog's, so a loaded lr shows), and its fingerprint.</summary>
    private static (OptimizerHelper Optimizer, (string name, Parameter parameter)[] Model, (Tensor[], byte[], (double, double)[]) Before) Trained(OptimizerCase c)
    {
        var model = Model(c, rows: 4);
        var optimizer = c.Create(model, c.Lr * 0.5);
        Train(optimizer, model, steps: 2);
        return (optimizer, model, Fingerprint(optimizer, model));
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.OursNames), MemberType = typeof(OptimizerCatalog))]
    public void A_state_saved_from_a_wider_model_is_refused_naming_the_parameter_and_both_shapes_and_nothing_changes(string name)
    {
        var c = OptimizerCatalog.Get(name);
        var wider = SavedFrom(c, rows: 8);
        var (optimizer, model, before) = Trained(c);
        using var owned = optimizer;

        var error = Record.Exception(() => LoadState(optimizer, wider));

        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("'hidden.weight'", error.Message);
        Assert.Contains("[8, 6]", error.Message);
        Assert.Contains("[4, 6]", error.Message);
        AssertUnchanged(before, optimizer, model);
        Train(optimizer, model, steps: 1);   // and it still trains
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.OursNames), MemberType = typeof(OptimizerCatalog))]
    public void A_float64_state_is_refused_by_a_float32_model_and_nothing_changes(string name)
    {
        var c = OptimizerCatalog.Get(name);
        var float64 = SavedFrom(c, rows: 4, ScalarType.Float64);
        var (optimizer, model, before) = Trained(c);
        using var owned = optimizer;

        var error = Record.Exception(() => LoadState(optimizer, float64));

        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("'hidden.weight'", error.Message);
        Assert.Contains("Float64", error.Message);
        Assert.Contains("Float32", error.Message);
        AssertUnchanged(before, optimizer, model);
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.OursNames), MemberType = typeof(OptimizerCatalog))]
    public void A_truncated_state_is_refused_at_every_length_and_nothing_changes(string name)
    {
        // Cut the file at 60 lengths spread over its whole size (and just short of the end): each load
        // must fail and leave the optimizer exactly as it was — before, a file cut in its state part
        // failed only after the groups' learning rates and step counters had been overwritten.
        var c = OptimizerCatalog.Get(name);
        var saved = SavedFrom(c, rows: 4);
        var (optimizer, model, before) = Trained(c);
        using var owned = optimizer;
        var lengths = Enumerable.Range(0, 60).Select(i => i * (saved.Length - 1) / 59).Concat(new[] { saved.Length - 1, saved.Length - 2 }).Distinct();

        foreach (int length in lengths)
        {
            var error = Record.Exception(() => LoadState(optimizer, saved[..length]));

            Assert.True(error is InvalidDataException or EndOfStreamException, $"{name}, cut at {length} of {saved.Length} bytes: {error?.GetType().Name ?? "loaded"}");
            AssertUnchanged(before, optimizer, model);
        }
        LoadState(optimizer, saved);   // the whole file still loads
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.OursNames), MemberType = typeof(OptimizerCatalog))]
    public void A_state_cut_after_its_header_says_it_ends_early(string name)
    {
        var c = OptimizerCatalog.Get(name);
        var saved = SavedFrom(c, rows: 4);
        var model = Model(c, rows: 4);
        using var optimizer = c.Create(model, c.Lr);

        var error = Assert.Throws<InvalidDataException>(() => LoadState(optimizer, saved[..(saved.Length - 3)]));

        Assert.Contains("ends early", error.Message);
    }

    [Theory]
    [MemberData(nameof(OptimizerCatalog.OursNames), MemberType = typeof(OptimizerCatalog))]
    public void Copying_the_state_dict_of_an_optimizer_over_a_wider_model_is_refused_and_nothing_changes(string name)
    {
        var c = OptimizerCatalog.Get(name);
        var wide = Model(c, rows: 8, seed: 3);
        using var source = c.Create(wide, c.Lr);
        Train(source, wide, steps: 2);
        var model = Model(c, rows: 4);
        using var optimizer = c.Create(model, c.Lr * 0.5);
        Train(optimizer, model, steps: 2);
        var before = Fingerprint(optimizer, model);

        var error = Assert.Throws<ArgumentException>(() => optimizer.load_state_dict(source.state_dict()));

        Assert.Contains("'hidden.weight'", error.Message);
        Assert.Contains("[8, 6]", error.Message);
        AssertUnchanged(before, optimizer, model);
    }

    [Fact]
    public void A_state_saved_before_the_format_was_versioned_is_refused_with_a_clear_message()
    {
        // What MuonSharp 0.1.0 wrote for Muon over one matrix: TorchSharp's framing, then the options
        // starting with the initial and current learning rates.
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("Muon");
            writer.Write((byte)1);   // one group (LEB128)
            writer.Write((byte)1);   // one state
            foreach (var value in new[] { 0.02, 0.02, 0.95 }) writer.Write(value);
        }
        var parameter = new Parameter(randn(4, 6));
        using var optimizer = Optim.Muon(new[] { ("w", parameter) });

        var error = Assert.Throws<InvalidDataException>(() => LoadState(optimizer, stream.ToArray()));

        Assert.Contains("0.1.0", error.Message);
        Assert.Contains("fresh optimizer", error.Message);
    }

    [Fact]
    public void A_state_in_a_newer_format_names_both_versions()
    {
        var parameter = new Parameter(randn(4, 6));
        using var optimizer = Optim.Muon(new[] { ("w", parameter) });
        var saved = SaveState(optimizer);
        int version = saved.AsSpan().IndexOf("MUONSHRP"u8) + 8;
        BitConverter.GetBytes(99).CopyTo(saved, version);

        var error = Assert.Throws<InvalidDataException>(() => LoadState(optimizer, saved));

        Assert.Contains("format 99", error.Message);
        Assert.Contains($"reads format {BitConverter.ToInt32(SaveState(optimizer), version)}", error.Message);
    }
}
