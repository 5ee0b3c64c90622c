using MuonSharp.Lab.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Training;

public sealed class LearningRateScheduleTests
{
    /// <summary>The learning rate an SGD optimizer is given at updates 0 … steps − 1 under <paramref name="schedule"/>.</summary>
    private static List<double> Rates(LearningRateSchedule schedule, int steps, int completed = 0)
    {
        var p = new Parameter(zeros(2));
        using var optimizer = optim.SGD(new[] { p }, 0.1);
        var scheduler = schedule.Attach(optimizer, completed);
        var rates = new List<double>();
        for (int t = completed; t < steps; t++)
        {
            rates.Add(optimizer.ParamGroups.Single().LearningRate);
            optimizer.step();
            scheduler.step();
        }
        return rates;
    }

    [Fact]
    public void Warm_up_rises_linearly_from_the_first_update_and_cosine_ends_at_the_final_factor()
    {
        var rates = Rates(LearningRateSchedule.WarmupCosine(warmupSteps: 4, steps: 10, finalFactor: 0.1), 10);

        Assert.Equal(new[] { 0.025, 0.05, 0.075, 0.1 }, rates.Take(4).Select(r => Math.Round(r, 12)));
        Assert.Equal(0.1, rates[4], 12);                                  // the top of the cosine
        Assert.Equal(0.01, rates[9], 12);                                 // 0.1 × final factor at the last update
        Assert.True(rates.Skip(4).Zip(rates.Skip(5)).All(p => p.Second < p.First), "cosine decays monotonically");
    }

    [Fact]
    public void Warm_up_then_constant_holds_the_base_rate()
    {
        var rates = Rates(LearningRateSchedule.WarmupConstant(2), 5);

        Assert.Equal(new[] { 0.05, 0.1, 0.1, 0.1, 0.1 }, rates.Select(r => Math.Round(r, 12)));
    }

    [Fact]
    public void Linear_decay_reaches_zero_after_the_last_update()
    {
        var rates = Rates(LearningRateSchedule.LinearToZero(4), 4);

        Assert.Equal(new[] { 0.1, 0.075, 0.05, 0.025 }, rates.Select(r => Math.Round(r, 12)));
    }

    [Fact]
    public void A_schedule_attached_after_k_updates_continues_where_an_uninterrupted_one_is()
    {
        var schedule = LearningRateSchedule.WarmupCosine(3, 12);

        Assert.Equal(Rates(schedule, 12).Skip(5), Rates(schedule, 12, completed: 5));
    }

    [Fact]
    public void A_warm_up_as_long_as_the_run_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WarmupCosine(10, 10));
    }
}
