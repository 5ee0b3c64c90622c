using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.SmallGpt;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Tests.Data;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.SmallGpt;

/// <summary>The text pipeline of the character-level GPT: split, vocabulary, batches, and the corpus setting.</summary>
public sealed class CharCorpusTests
{
    [Fact]
    public void Given_a_text_then_the_first_90_percent_train_the_rest_validates_and_the_vocabulary_comes_from_the_training_part()
    {
        string text = string.Concat(Enumerable.Repeat("abcab", 8));   // 40 characters: a, b, c
        using var corpus = CharCorpus.Split(text, 0.9, context: 2, source: "generated");

        Assert.Equal(3, corpus.Vocabulary);
        Assert.Equal(36, corpus.TrainIds.shape[0]);
        Assert.Equal(4, corpus.ValidationIds.shape[0]);
        Assert.Equal(text[..36], corpus.Decode(corpus.TrainIds.data<long>().ToArray()));
        Assert.Equal(text[36..], corpus.Decode(corpus.ValidationIds.data<long>().ToArray()));
        Assert.Equal(new long[] { 0, 1, 2 }, corpus.Encode("abc"));
    }

    [Fact]
    public void Given_a_validation_character_the_training_part_never_uses_then_the_error_names_it_and_where_it_is()
    {
        string text = string.Concat(Enumerable.Repeat("ab", 18)) + "abza";

        var error = Assert.Throws<LabUserException>(() => CharCorpus.Split(text, 0.9, context: 2, source: "odd.txt"));

        Assert.Contains("'odd.txt'", error.Message);
        Assert.Contains("'z' (U+007A)", error.Message);
        Assert.Contains("character 38", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_a_text_too_short_for_the_context_then_the_error_names_both_lengths()
    {
        var error = Assert.Throws<LabUserException>(() => CharCorpus.Split("abcdefghij", 0.9, context: 8, source: "tiny"));

        Assert.Contains("context + 1 = 9", error.Message);
        Assert.Contains("validation part (1)", error.Message);
    }

    [Fact]
    public void A_character_outside_the_basic_plane_is_one_token()
    {
        string text = string.Concat(Enumerable.Repeat("𝔸b", 20));
        using var corpus = CharCorpus.Split(text, 0.9, context: 2, source: "generated");

        Assert.Equal(2, corpus.Vocabulary);
        Assert.Equal(36, corpus.TrainIds.shape[0]);
        Assert.Equal("𝔸b", corpus.Decode(corpus.Encode("𝔸b")));
    }

    [Fact]
    public void A_batch_is_windows_of_consecutive_ids_and_its_targets_are_the_same_windows_one_later()
    {
        using var ids = arange(100, dtype: ScalarType.Int64);
        using var generator = new Generator(7);

        var (inputs, targets) = CharCorpus.Batch(ids, batch: 5, context: 7, generator);

        Assert.Equal(new long[] { 5, 7 }, inputs.shape);
        Assert.Equal(new long[] { 5, 7 }, targets.shape);
        var x = inputs.data<long>().ToArray();
        var y = targets.data<long>().ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(x[i] + 1, y[i]);
            if (i % 7 != 6) Assert.Equal(x[i] + 1, x[i + 1]);
        }
        Assert.True(y.Max() <= 99);
    }

    [Fact]
    public void Given_corpus_set_to_a_missing_file_then_the_run_fails_with_one_line_naming_it()
    {
        using var temp = new TempDirectory();
        var experiment = new SmallGptExperiment();
        string missing = temp.Sub("no-such-corpus.txt");
        var config = ConfigOverrides.Apply(experiment.Quick, new[] { $"corpus={missing}" });

        var error = Assert.Throws<LabUserException>(() => LabRunner.Run(experiment, config, temp.Sub("run")));

        Assert.Contains(missing, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Given_corpus_set_to_a_generated_file_then_the_quick_run_trains_on_it_and_writes_samples_from_both_optimizers()
    {
        using var temp = new TempDirectory();
        var experiment = new SmallGptExperiment();
        string path = temp.Sub("generated.txt");
        File.WriteAllText(path, TinyDatasets.Text(characters: 6_000, seed: 5));
        var config = (SmallGptConfig)ConfigOverrides.Apply(experiment.Quick, new[] { $"corpus={path}", "seeds=1", "steps=8", "sweep_factors=1" });

        var summary = LabRunner.Run(experiment, config, temp.Sub("run"));

        Assert.Equal(RunStatus.Completed, summary.Status);
        var log = File.ReadAllText(temp.Sub("run/log.txt"));
        Assert.Contains($"corpus '{path}': 5,", log);
        Assert.Contains("vocabulary 28", log);   // a–z, space, newline
        var samples = File.ReadAllText(temp.Sub("run/samples.txt"));
        Assert.Contains("adamw (seed 0", samples);
        Assert.Contains("muon (seed 0", samples);
    }
}
