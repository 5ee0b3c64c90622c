using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>
/// Everything a run of <see cref="TrainingLoop.Train"/> needs to continue exactly where it stopped:
/// parameters and buffers, the optimizer's state, the state of every generator the setup draws from, the
/// step counter and the trajectory so far. Written into the fresh directory a step boundary hands out.
/// </summary>
internal sealed class LoopCheckpoint
{
    private const string WeightsFile = "weights.bin", OptimizerFile = "optimizer.bin", GeneratorsFile = "generators.bin", LoopFile = "loop.json";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly TrainingSetup _setup;
    private readonly OptimizerHelper _optimizer;

    public LoopCheckpoint(TrainingSetup setup, OptimizerHelper optimizer)
    {
        _setup = setup;
        _optimizer = optimizer;
    }

    /// <summary>Writes the state before update <paramref name="step"/> into <paramref name="directory"/>.</summary>
    public void Save(string directory, int step, Trajectory trajectory)
    {
        ModelWeights.Save(Path.Combine(directory, WeightsFile), Tensors());
        _optimizer.save_state_dict(Path.Combine(directory, OptimizerFile));
        using (var writer = new BinaryWriter(File.Create(Path.Combine(directory, GeneratorsFile)), Encoding.UTF8))
        {
            writer.Write(_setup.Generators.Count);
            foreach (var (name, generator) in _setup.Generators)
            {
                writer.Write(name);
                using var state = generator.get_state();
                state.Save(writer);
            }
        }
        File.WriteAllText(Path.Combine(directory, LoopFile), JsonSerializer.Serialize(new LoopState(step, trajectory), Json));
    }

    /// <summary>Restores the state saved in <paramref name="directory"/>; returns the step to continue from.</summary>
    public int Restore(string directory, ref Trajectory trajectory)
    {
        ModelWeights.Load(Path.Combine(directory, WeightsFile), Tensors());
        _optimizer.load_state_dict(Path.Combine(directory, OptimizerFile));
        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, GeneratorsFile)), Encoding.UTF8))
        {
            int count = reader.ReadInt32();
            if (count != _setup.Generators.Count)
                throw new InvalidDataException($"The checkpoint in '{directory}' has {count} generator states; the run has {_setup.Generators.Count} generators.");
            foreach (var (name, generator) in _setup.Generators)
            {
                string saved = reader.ReadString();
                if (saved != name) throw new InvalidDataException($"The checkpoint in '{directory}' has generator '{saved}' where the run has '{name}'.");
                using var state = generator.get_state();   // a tensor of the right size to load into
                state.Load(reader);
                generator.set_state(state);
            }
        }
        var loop = JsonSerializer.Deserialize<LoopState>(File.ReadAllText(Path.Combine(directory, LoopFile)), Json)
                   ?? throw new InvalidDataException($"'{Path.Combine(directory, LoopFile)}' is empty.");
        trajectory = loop.Trajectory;
        return loop.Step;
    }

    private IEnumerable<(string Name, Tensor Tensor)> Tensors() =>
        _setup.Parameters.Select(p => ("parameter:" + p.Name, (Tensor)p.Parameter)).Concat(_setup.Buffers.Select(b => ("buffer:" + b.Name, b.Tensor)));

    private sealed record LoopState(int Step, Trajectory Trajectory);
}
