using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>
/// Named tensors in one file, so a finished run's model can be evaluated or sampled later and an
/// interrupted one continued: a count, then per tensor its name and TorchSharp's own tensor encoding
/// (dtype, shape, raw values — exact). Read back into tensors of the same names and shapes.
/// </summary>
public static class ModelWeights
{
    private const string Magic = "muonsharp-weights-1";

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/> (atomically: temp file + rename).</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="tensors">Names and tensors, e.g. a model's <c>named_parameters()</c>.</param>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var list = tensors.ToList();
        Runs.AtomicFile.Write(path, temp =>
        {
            using var writer = new BinaryWriter(File.Create(temp), Encoding.UTF8);
            writer.Write(Magic);
            writer.Write(list.Count);
            foreach (var (name, tensor) in list)
            {
                writer.Write(name);
                using var cpu = tensor.detach().cpu();
                cpu.Save(writer);
            }
        });
    }

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="targets"/> in place. Every target must be in the
    /// file with the same shape and dtype, and the file must hold nothing else.
    /// </summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <param name="targets">The tensors to fill, by name.</param>
    public static void Load(string path, IEnumerable<(string Name, Tensor Tensor)> targets)
    {
        var byName = targets.ToDictionary(t => t.Name, t => t.Tensor);
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (reader.ReadString() != Magic) throw new InvalidDataException($"'{path}' is not a MuonSharp weights file.");
        int count = reader.ReadInt32();
        var seen = new HashSet<string>();
        using var noGrad = no_grad();
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            if (!byName.TryGetValue(name, out var target))
                throw new InvalidDataException($"'{path}' holds '{name}', which the model does not have (it has {string.Join(", ", byName.Keys)}).");
            target.Load(reader);
            seen.Add(name);
        }
        var missing = byName.Keys.Where(k => !seen.Contains(k)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"'{path}' lacks {string.Join(", ", missing)}.");
    }
}
