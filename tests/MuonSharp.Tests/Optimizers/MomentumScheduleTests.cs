using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

public sealed class MomentumScheduleTests
{
    private static (string, Parameter)[] Named() => new[] { ("hidden.weight", new Parameter(randn(4, 6))), ("hidden.bias", new Parameter(zeros(4))) };

    [Fact]
    public void The_defaults_ramp_from_0_85_to_0_95_over_300_steps_as_modded_nanogpt_does()
    {
        using var optimizer = Optim.Muon(Named().Take(1));
        var schedule = new MomentumSchedule(optimizer);

        Assert.Equal(0.85, optimizer.Momentum, 12);   // set at construction, for the first step
        Assert.Equal(0.90, schedule.MomentumAt(150), 12);
        Assert.Equal(0.95, schedule.MomentumAt(300), 12);
        Assert.Equal(0.95, schedule.MomentumAt(10_000), 12);
        Assert.Equal(0.85 + 0.1 * 7 / 300, schedule.MomentumAt(7), 12);
    }

    [Fact]
    public void The_cool_down_falls_linearly_to_end_at_the_last_step()
    {
        using var optimizer = Optim.Muon(Named().Take(1));
        var schedule = new MomentumSchedule(optimizer, start: 0.85, peak: 0.95, warmup_steps: 10, end: 0.75, cooldown_steps: 20, total_steps: 100);

        Assert.Equal(0.95, schedule.MomentumAt(79), 12);
        Assert.Equal(0.95, schedule.MomentumAt(80), 12);
        Assert.Equal(0.85, schedule.MomentumAt(90), 12);
        Assert.Equal(0.75, schedule.MomentumAt(100), 12);
        Assert.Equal(0.75, schedule.MomentumAt(120), 12);
    }

    [Fact]
    public void Stepping_drives_the_groups_muon_uses_beside_a_TorchSharp_LR_scheduler()
    {
        // The hybrid: Muon's group momentum follows the schedule, AdamW's betas stay, and an LR
        // scheduler stepped alongside changes the rates only.
        var named = Named();
        using var optimizer = Optim.MuonWithAuxAdamW(named, lr: 0.02, adamw_betas: (0.9, 0.95));
        var momentum = new MomentumSchedule(optimizer, start: 0.5, peak: 0.9, warmup_steps: 4);
        var lr = torch.optim.lr_scheduler.StepLR(optimizer, step_size: 1, gamma: 0.5);
        var muonGroup = (Muon.ParamGroup)optimizer.MuonPart.ParamGroups.Single();
        var adamwGroup = (AuxAdamW.ParamGroup)optimizer.AdamWPart.ParamGroups.Single();
        var seen = new List<double>();

        for (int step = 0; step < 3; step++)
        {
            foreach (var (_, p) in named) p.grad = ones_like(p);
            seen.Add(muonGroup.Momentum);
            optimizer.step();
            lr.step();
            momentum.step();
        }

        Assert.Equal(new[] { 0.5, 0.6, 0.7 }, seen.Select(m => Math.Round(m, 12)));
        Assert.Equal(0.8, muonGroup.Momentum, 12);
        Assert.Equal(0.8, optimizer.Momentum, 12);
        Assert.Equal(3, momentum.last_epoch);
        Assert.Equal((0.9, 0.95), adamwGroup.Betas);
        Assert.Equal(0.02 / 8, muonGroup.LearningRate, 12);
    }

    [Fact]
    public void The_momentum_it_sets_is_the_one_the_next_step_uses()
    {
        // buf ← β·buf + (1−β)·g with g = 1 everywhere: the buffer's entries show the β each step used.
        // Scheduled 0 → 0.5: step one gives buf = 1, step two 0.5·1 + 0.5·1 = 1. Fixed 0.5: 0.5, then 0.75.
        using var p1 = new Parameter(randn(new long[] { 4, 4 }, dtype: ScalarType.Float64, generator: new Generator(1)));
        using var p2 = new Parameter(p1.detach().clone());
        using var fixedMomentum = Optim.Muon(new[] { p1 }, momentum: 0.5, ns_dtype: ScalarType.Float64);
        using var scheduled = Optim.Muon(new[] { p2 }, momentum: 0.5, ns_dtype: ScalarType.Float64);
        var schedule = new MomentumSchedule(scheduled, start: 0.0, peak: 0.5, warmup_steps: 1);
        var buffers = new List<(double Fixed, double Scheduled)>();

        for (int step = 0; step < 2; step++)
        {
            p1.grad = ones_like(p1);
            p2.grad = ones_like(p2);
            fixedMomentum.step();
            scheduled.step();
            schedule.step();
            buffers.Add((fixedMomentum.StateOf(p1).momentum_buffer![0, 0].ToDouble(), scheduled.StateOf(p2).momentum_buffer![0, 0].ToDouble()));
        }

        Assert.Equal(new[] { (0.5, 1.0), (0.75, 1.0) }, buffers);
    }
}
