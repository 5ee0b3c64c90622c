using MuonSharp.Lab.Data;

namespace MuonSharp.Lab.Experiments.SmallGpt;

/// <summary>
/// Settings of the character-level GPT comparison (<c>002 §5</c>, "small NanoGPT"; the layerwise condition of
/// <c>004 §8–10</c>). Model, batch and optimizer settings are the small setting of the papers README
/// ("Small GPT"); the step budget is ours, far below <c>002</c>'s (124M parameters, 5,000 steps, Fig. 5) — see the
/// folder README for the measurement it was chosen from. Every other number is our choice, documented where it is set.
/// </summary>
public sealed record SmallGptConfig : TransformerComparisonConfig
{
    /// <summary>Creates the paper-size defaults.</summary>
    public SmallGptConfig()
    {
        Steps = 300;   // ≈ 13 minutes per run at the measured 2.3–2.4 s per step (README, "Budget")
        Seeds = 2;
    }

    /// <summary>The text: a text dataset's name (<c>kjv</c>, the default) or the path of any UTF-8 file.</summary>
    public string Corpus { get; init; } = DatasetNames.Kjv;

    /// <summary>Fraction of the text, from its start, used for training; the rest (contiguous) is validation (nanoGPT's 90/10).</summary>
    public double TrainFraction { get; init; } = 0.9;

    /// <summary>Context length in characters (small setting: 256).</summary>
    public int Context { get; init; } = 256;

    /// <summary>
    /// The block matrices' products in bfloat16 with float32 weights (<see cref="Training.Bfloat16Matmul"/>, the lab's
    /// stand-in for autocast). On by default: measured here (folder README, "Budget") it made a paper-size step
    /// 1.1–1.5× faster and left the validation loss of a 150-step run equal to float32's to 1e-4 at every evaluation.
    /// </summary>
    public bool Bfloat16Matmul { get; init; } = true;

    /// <summary>
    /// Validation batches (of <c>BatchSize</c> sequences; the small setting's batch is 64, the default) drawn once per seed from the validation text;
    /// every evaluation of every optimizer at that seed uses the same ones (our choice: 8 = 131,072 characters at paper size).
    /// </summary>
    public int EvalBatches { get; init; } = 8;

    /// <summary>Steps between <see cref="SpectralMonitor"/> observations (weight spectra, nr(G), st(A), condition ratio).</summary>
    public int MonitorEvery { get; init; } = 50;

    /// <summary>
    /// Learning-rate sweep: each optimizer's default rate (for Muon its Muon rate; the AdamW part fixed) times each
    /// factor, on the first seed, for <see cref="SweepStepsFraction"/> of the steps. Half-decade steps over two decades
    /// (the issue: ≥ 1.5 decades, 5 rates).
    /// </summary>
    public double[] SweepFactors { get; init; } = { 0.1, 0.31622776601683794, 1, 3.1622776601683795, 10 };

    /// <summary>Fraction of <see cref="ExperimentConfig.Steps"/> each sweep run takes (the issue: half the main budget).</summary>
    public double SweepStepsFraction { get; init; } = 0.5;

    /// <summary>
    /// Claim (b): a swept rate is on the plateau when its final validation loss is within this many nats of the
    /// optimizer's best swept loss (our choice, fixed before any run: 0.05 nats ≈ 2–3% of a character-level loss of 1.5–2.5).
    /// </summary>
    public double PlateauTolerance { get; init; } = 0.05;

    /// <summary>
    /// Claim (d): the input to a block's second MLP matrix has "low stable rank" when its median st(A) over the
    /// observations is at most this fraction of its width 4·<see cref="TransformerComparisonConfig.Width"/> (our choice, fixed before any run: 10%;
    /// <c>004 §5</c> finds post-activation stable ranks of a few units at any width).
    /// </summary>
    public double LowStableRankFraction { get; init; } = 0.1;

    /// <summary>Characters generated from each optimizer's first-seed model at the end (temperature sampling, seeded).</summary>
    public int SampleLength { get; init; } = 240;

    /// <summary>Softmax temperature of the samples (our choice: 0.8, a little sharper than the model's distribution).</summary>
    public double SampleTemperature { get; init; } = 0.8;

    /// <summary>
    /// QK-clip (MuonClip, Kimi K2 report arXiv 2507.20534, §2.1): after every update, each attention head whose largest
    /// pre-softmax logit on that step's batch exceeded τ has its query and key rows scaled by √(τ/S_max); 0 (the
    /// default) is off. Kimi K2 used τ = 100. Left out of config.json while off, so runs written before the key
    /// existed still resume.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public double QkClipTau { get; init; }

    /// <summary>Updates of one sweep run.</summary>
    public int SweepSteps => Math.Max(1, (int)Math.Round(SweepStepsFraction * Steps));

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (string.IsNullOrWhiteSpace(Corpus)) yield return "corpus is empty: name a text dataset (kjv) or a UTF-8 file";
        if (!(TrainFraction > 0 && TrainFraction < 1)) yield return $"train_fraction = {TrainFraction}: must be in (0, 1)";
        if (Context < 2) yield return $"context = {Context}: must be ≥ 2";
        if (EvalBatches < 1) yield return $"eval_batches = {EvalBatches}: must be ≥ 1";
        if (MonitorEvery < 1) yield return $"monitor_every = {MonitorEvery}: must be ≥ 1";
        if (SweepFactors.Any(f => !(f > 0))) yield return $"sweep_factors = [{string.Join(", ", SweepFactors)}]: every factor must be > 0 (none: no sweep)";
        if (!(SweepStepsFraction > 0 && SweepStepsFraction <= 1)) yield return $"sweep_steps_fraction = {SweepStepsFraction}: must be in (0, 1]";
        if (!(PlateauTolerance >= 0)) yield return $"plateau_tolerance = {PlateauTolerance}: must be ≥ 0";
        if (!(LowStableRankFraction > 0 && LowStableRankFraction <= 1)) yield return $"low_stable_rank_fraction = {LowStableRankFraction}: must be in (0, 1]";
        if (SampleLength < 0) yield return $"sample_length = {SampleLength}: must be ≥ 0";
        if (!(SampleTemperature > 0)) yield return $"sample_temperature = {SampleTemperature}: must be > 0";
        if (!(QkClipTau >= 0)) yield return $"qk_clip_tau = {QkClipTau}: must be ≥ 0 (0: no QK-clip)";
    }
}
