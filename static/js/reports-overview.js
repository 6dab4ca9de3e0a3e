// The overview's charts, drawn from the figures the page embeds (json_script "overview-data").
// The same figures fill the tables beside each chart, so a chart never says what its table
// does not.
(function () {
  "use strict";
  var source = document.getElementById("overview-data");
  if (!source || !window.Chart) {
    return;
  }
  var payload = JSON.parse(source.textContent);
  var overview = payload.overview;
  var labels = payload.labels;
  if (!overview) {
    return;
  }
  var LEVEL_COLOURS = { red: "#c62828", yellow: "#e0a100", green: "#1f7a3a" };
  var CATEGORY_COLOURS = ["#2456c7", "#8e44ad", "#c0392b", "#7f8c8d"];
  var MINUTE = 60;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    config.options = Object.assign(
      { animation: false, responsive: true, maintainAspectRatio: false },
      config.options || {}
    );
    new window.Chart(canvas, config);
  }

  function stacked() {
    return {
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
    };
  }

  function inMinutes(seconds) {
    return seconds === null ? null : Math.round((seconds / MINUTE) * 10) / 10;
  }

  var levels = Object.keys(overview.volume.levels);
  var volume = overview.volume;

  draw("chart-volume", {
    type: "bar",
    data: {
      labels: volume.buckets,
      datasets: levels.map(function (level) {
        return {
          label: labels.levels[level],
          data: volume.levels[level],
          backgroundColor: LEVEL_COLOURS[level],
        };
      }),
    },
    options: stacked(),
  });

  draw("chart-categories", {
    type: "bar",
    data: {
      labels: volume.buckets,
      datasets: Object.keys(volume.categories).map(function (category, n) {
        return {
          label: labels.categories[category],
          data: volume.categories[category],
          backgroundColor: CATEGORY_COLOURS[n % CATEGORY_COLOURS.length],
        };
      }),
    },
    options: stacked(),
  });

  draw("chart-open", {
    type: "bar",
    data: {
      labels: overview.open_cases.ages,
      datasets: levels.map(function (level) {
        return {
          label: labels.levels[level],
          data: overview.open_cases.levels[level],
          backgroundColor: LEVEL_COLOURS[level],
        };
      }),
    },
    options: stacked(),
  });

  draw("chart-clocks", {
    type: "bar",
    data: {
      labels: levels.map(function (level) {
        return labels.levels[level];
      }),
      datasets: [
        {
          label: labels.response,
          data: levels.map(function (level) {
            return inMinutes(overview.clocks.levels[level].response.median);
          }),
          backgroundColor: "#2456c7",
        },
        {
          label: labels.resolution,
          data: levels.map(function (level) {
            return inMinutes(overview.clocks.levels[level].resolution.median);
          }),
          backgroundColor: "#7f8c8d",
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });

  var satisfaction = overview.satisfaction;
  draw("chart-satisfaction", {
    type: "doughnut",
    data: {
      labels: [labels.satisfied, labels.unsatisfied, labels.unanswered],
      datasets: [
        {
          data: [satisfaction.satisfied, satisfaction.unsatisfied, satisfaction.unanswered],
          backgroundColor: [LEVEL_COLOURS.green, LEVEL_COLOURS.red, "#9aa3ad"],
        },
      ],
    },
  });

  draw("chart-corrections", {
    type: "line",
    data: {
      labels: volume.buckets,
      datasets: [
        {
          label: labels.corrected,
          data: overview.corrections.rate.map(function (rate) {
            return rate === null ? null : Math.round(rate * 1000) / 10;
          }),
          borderColor: "#2456c7",
          backgroundColor: "#2456c7",
          spanGaps: true,
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true, suggestedMax: 10 } } },
  });
})();
