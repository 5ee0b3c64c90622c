using System.Text;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.SmallGpt;

/// <summary>
/// A text as character ids for a character-level language model: split contiguously into a training part
/// (the first <c>trainFraction</c> of the characters) and a validation part (the rest), with the vocabulary
/// taken from the training part only — a validation character the training text lacks is an error naming
/// it, since the model could not have an id for it. Characters are Unicode code points, so a character
/// outside the Basic Multilingual Plane is one token, not two.
/// </summary>
public sealed class CharCorpus : IDisposable
{
    private readonly int[] _vocabulary;                 // id → code point, ascending
    private readonly Dictionary<int, long> _ids;        // code point → id

    private CharCorpus(int[] vocabulary, long[] train, long[] validation)
    {
        _vocabulary = vocabulary;
        _ids = vocabulary.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i);
        TrainIds = tensor(train);
        ValidationIds = tensor(validation);
    }

    /// <summary>Splits <paramref name="text"/> and builds the vocabulary from its training part.</summary>
    /// <param name="text">The whole text.</param>
    /// <param name="trainFraction">Fraction of the characters, from the start, that train; in (0, 1).</param>
    /// <param name="context">The model's context: each part must hold at least context + 1 characters (one sequence and its targets).</param>
    /// <param name="source">Names the text in error messages (a dataset name or a path).</param>
    /// <exception cref="LabUserException">A part is too short, or the validation part has a character the training part lacks.</exception>
    public static CharCorpus Split(string text, double trainFraction, int context, string source)
    {
        var codePoints = text.EnumerateRunes().Select(r => r.Value).ToArray();
        int trainLength = (int)Math.Floor(trainFraction * codePoints.Length);
        int validationLength = codePoints.Length - trainLength;
        if (trainLength < context + 1 || validationLength < context + 1)
            throw new LabUserException($"Corpus '{source}' has {codePoints.Length:N0} characters: its training part ({trainLength:N0}) and validation part " +
                $"({validationLength:N0}) must each hold at least context + 1 = {context + 1} characters; use a longer text or a shorter context.");
        var vocabulary = codePoints.Take(trainLength).Distinct().Order().ToArray();
        var ids = vocabulary.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i);
        var validation = new long[validationLength];
        for (int i = 0; i < validationLength; i++)
        {
            int c = codePoints[trainLength + i];
            if (!ids.TryGetValue(c, out validation[i]))
                throw new LabUserException($"Corpus '{source}': the validation part (the last {1 - trainFraction:P0}) has the character {Describe(c)} at character " +
                    $"{trainLength + i:N0}, which the training part never uses, so the vocabulary (built from the training part) has no id for it; " +
                    "use a text whose last part uses only characters of its first part, or change train_fraction.");
        }
        var train = codePoints.Take(trainLength).Select(c => ids[c]).ToArray();
        return new CharCorpus(vocabulary, train, validation);
    }

    /// <summary>Number of distinct characters (token ids 0 … Vocabulary − 1).</summary>
    public int Vocabulary => _vocabulary.Length;

    /// <summary>The training part as ids, int64 <c>[train characters]</c>.</summary>
    public Tensor TrainIds { get; }

    /// <summary>The validation part as ids, int64 <c>[validation characters]</c>.</summary>
    public Tensor ValidationIds { get; }

    /// <summary>The ids of <paramref name="text"/>; a character outside the vocabulary is an error naming it.</summary>
    /// <param name="text">Text made of training characters.</param>
    public long[] Encode(string text) => text.EnumerateRunes().Select(r => _ids.TryGetValue(r.Value, out var id) ? id
        : throw new LabUserException($"The character {Describe(r.Value)} is not in the vocabulary of {Vocabulary} training characters.")).ToArray();

    /// <summary>The text of <paramref name="ids"/>.</summary>
    /// <param name="ids">Token ids in 0 … Vocabulary − 1.</param>
    public string Decode(IEnumerable<long> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids) text.Append(char.ConvertFromUtf32(_vocabulary[id]));
        return text.ToString();
    }

    /// <summary>
    /// A mini-batch of <paramref name="batch"/> windows of <paramref name="context"/> + 1 consecutive characters at
    /// offsets drawn uniformly from <paramref name="generator"/>: inputs <c>[batch, context]</c> and targets, the same
    /// windows one character later.
    /// </summary>
    /// <param name="ids">The part to draw from (<see cref="TrainIds"/> or <see cref="ValidationIds"/>).</param>
    /// <param name="batch">Windows.</param>
    /// <param name="context">Window length.</param>
    /// <param name="generator">Draws the offsets.</param>
    public static (Tensor Inputs, Tensor Targets) Batch(Tensor ids, int batch, int context, Generator generator)
    {
        using var scope = NewDisposeScope();
        var offsets = randint(ids.shape[0] - context, new long[] { batch, 1 }, dtype: ScalarType.Int64, generator: generator);   // [batch, 1]
        var windows = ids.take(offsets.add(arange(context + 1, dtype: ScalarType.Int64)));                                   // [batch, context + 1]
        return (windows.narrow(1, 0, context).MoveToOuterDisposeScope(), windows.narrow(1, 1, context).MoveToOuterDisposeScope());
    }

    private static string Describe(int codePoint) =>
        $"'{(codePoint < 0x20 ? "\\u" + codePoint.ToString("x4") : char.ConvertFromUtf32(codePoint))}' (U+{codePoint:X4})";

    /// <inheritdoc />
    public void Dispose()
    {
        TrainIds.Dispose();
        ValidationIds.Dispose();
    }
}
