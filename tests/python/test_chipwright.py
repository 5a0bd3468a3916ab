"""The Python module against the CLI it mirrors: every function returns the
document the same command prints with --format json, raises UserError with
the CLI's message on bad input, and gives the same answers from several
threads at once. Run by ctest (tests/CMakeLists.txt) with PYTHONPATH at the
build's python/ folder and CHIPWRIGHT_BINARY at the CLI."""
import concurrent.futures
import html.parser
import json
import os
import subprocess
import tempfile
import unittest

import yaml

import chipwright as cw

BINARY = os.environ["CHIPWRIGHT_BINARY"]
TEST_DIR = os.environ["CHIPWRIGHT_TEST_DIR"]


def cli(*args):
    """The CLI's JSON document for `chipwright ARGS --format json`."""
    out = subprocess.run([BINARY, *args, "--format", "json"], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout)


class TagBalance(html.parser.HTMLParser):
    """Counts elements and checks that every opened element is closed in order."""
    VOID = {"meta", "circle", "line", "rect", "br"}

    def __init__(self):
        super().__init__()
        self.stack, self.counts, self.errors = [], {}, []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def parse_page(path):
    with open(path) as f:
        parser = TagBalance()
        parser.feed(f.read())
    return parser


class SameDocumentAsTheCli(unittest.TestCase):
    def test_evaluate(self):
        self.assertEqual(
            cw.evaluate("h100-sxm", "llama3.1-8b", batch=16, input=1024, output=256),
            cli("eval", "--chip", "h100-sxm", "--model", "llama3.1-8b", "--batch", "16",
                "--input", "1024", "--output", "256"))

    def test_evaluate_auto_tp_and_replicas(self):
        self.assertEqual(
            cw.evaluate("h100-sxm", "llama3.1-70b", precision="fp8", tp="auto", count=4,
                        batch=32, input=2048, output=128),
            cli("eval", "--chip", "h100-sxm", "--model", "llama3.1-70b", "--precision", "fp8",
                "--tp", "auto", "--count", "4", "--batch", "32", "--input", "2048",
                "--output", "128"))

    def test_evaluate_moe_with_expert_placement(self):
        self.assertEqual(
            cw.evaluate("h200-sxm", "mixtral-8x7b", tp=2, ep=2, routing_skew=1.0,
                        redundant_experts=2, batch=8),
            cli("eval", "--chip", "h200-sxm", "--model", "mixtral-8x7b", "--tp", "2", "--ep",
                "2", "--routing-skew", "1", "--redundant-experts", "2", "--batch", "8"))

    def test_speculative_decoding(self):
        self.assertEqual(
            cw.evaluate("h100-sxm", "llama3.1-70b", tp=2, batch=4, speculative=3,
                        acceptance=0.8, draft="llama3.2-1b"),
            cli("eval", "--chip", "h100-sxm", "--model", "llama3.1-70b", "--tp", "2",
                "--batch", "4", "--speculative", "3", "--acceptance", "0.8", "--draft",
                "llama3.2-1b"))
        self.assertEqual(
            cw.serve("h100-sxm", "llama3.1-70b", count=2, tp=2, dataset="mlperf-llama2-70b",
                     requests=40, rate=2.0, speculative=2, acceptance=0.7),
            cli("serve", "--chip", "h100-sxm", "--model", "llama3.1-70b", "--count", "2",
                "--tp", "2", "--dataset", "mlperf-llama2-70b", "--requests", "40", "--rate",
                "2", "--speculative", "2", "--acceptance", "0.7"))

    def test_serve_pipeline_stages(self):
        self.assertEqual(
            cw.serve("h100-sxm", "llama3.1-70b", count=4, tp=2, pp=2,
                     dataset="mlperf-llama2-70b", requests=40, rate=2.0),
            cli("serve", "--chip", "h100-sxm", "--model", "llama3.1-70b", "--count", "4",
                "--tp", "2", "--pp", "2", "--dataset", "mlperf-llama2-70b", "--requests", "40",
                "--rate", "2"))

    def test_ops(self):
        self.assertEqual(
            cw.op_gemm("h100-sxm", 8192, 8192, 8192, dtype="fp8"),
            cli("op", "gemm", "--chip", "h100-sxm", "--m", "8192", "--n", "8192", "--k", "8192",
                "--dtype", "fp8"))
        self.assertEqual(
            cw.op_gemm("mi300x", 16, 8192, 8192, dtype="fp8", quantize="dynamic", batch=2),
            cli("op", "gemm", "--chip", "mi300x", "--m", "16", "--n", "8192", "--k", "8192",
                "--dtype", "fp8", "--quantize", "dynamic", "--batch", "2"))
        self.assertEqual(
            cw.op_decode_attention("h200-sxm", batch=64, context=4096, kv_dtype="fp8"),
            cli("op", "decode-attention", "--chip", "h200-sxm", "--batch", "64", "--context",
                "4096", "--kv-dtype", "fp8"))
        self.assertEqual(
            cw.op_attention("b200", seq=8192, heads=16, causal=True),
            cli("op", "attention", "--chip", "b200", "--seq", "8192", "--heads", "16",
                "--causal"))

    def test_plan_and_compare(self):
        self.assertEqual(
            cw.plan("h100-sxm", 8, "llama3.1-70b", batch=32),
            cli("plan", "--chip", "h100-sxm", "--count", "8", "--model", "llama3.1-70b",
                "--batch", "32"))
        self.assertEqual(cw.compare(), cli("compare"))
        self.assertEqual(
            cw.compare(["a100-sxm", "mi300x"], model="llama3.1-8b", precision="bf16", tp=1, batch=8),
            cli("compare", "--chips", "a100-sxm,mi300x", "--model", "llama3.1-8b", "--precision",
                "bf16", "--tp", "1", "--batch", "8"))

    def test_version(self):
        self.assertEqual("chipwright " + cw.__version__,
                         subprocess.run([BINARY, "--version"], check=True, capture_output=True,
                                        text=True).stdout.strip())

    def test_presets_and_silicon(self):
        self.assertEqual(cw.chips(), cli("list", "chips"))
        self.assertEqual(cw.models(), cli("list", "models"))
        self.assertEqual(cw.precisions(), cli("list", "precisions"))
        self.assertEqual(cw.spaces(), cli("list", "spaces"))
        self.assertEqual(cw.show_chip("gb200"), cli("show", "chip", "gb200"))
        self.assertEqual(cw.show_model("deepseek-v3"), cli("show", "model", "deepseek-v3"))
        self.assertEqual(
            cw.silicon("sf2-inference", node="tsmc-n3e", set=["tco.pue=1.1"]),
            cli("silicon", "--chip", "sf2-inference", "--node", "tsmc-n3e", "--set",
                "tco.pue=1.1"))

    def test_serve_capacity(self):
        args = dict(count=2, tp=2, dataset="mlperf-llama2-70b", requests=300, slo_ttft=0.45,
                    slo_tpot=0.04, capacity=True, target_rate=50.0)
        doc = cw.serve("h100-sxm", "llama3.1-70b", **args)
        self.assertEqual(doc, cli("serve", "--chip", "h100-sxm", "--model", "llama3.1-70b",
                                  "--count", "2", "--tp", "2", "--dataset", "mlperf-llama2-70b",
                                  "--requests", "300", "--slo-ttft", "0.45", "--slo-tpot", "0.04",
                                  "--capacity", "--target-rate", "50"))
        self.assertTrue(doc["capacity"]["found"])
        self.assertLessEqual(doc["ttft_s"]["p99"], 0.45)
        tuned = cw.serve("h100-sxm", "llama3.1-8b", count=2, dataset="mlperf-llama3.1-8b",
                         requests=200, slo_ttft=0.3, slo_tpot=0.02, capacity=True, tune=True,
                         tp=2)
        self.assertEqual(tuned, cli("serve", "--chip", "h100-sxm", "--model", "llama3.1-8b",
                                    "--count", "2", "--dataset", "mlperf-llama3.1-8b",
                                    "--requests", "200", "--slo-ttft", "0.3", "--slo-tpot",
                                    "0.02", "--capacity", "--tune", "--tp", "2"))
        self.assertEqual({p["tp"] for p in tuned["tuning"]["tried"]}, {2})
        with self.assertRaisesRegex(cw.UserError, "give --slo-ttft and/or --slo-tpot"):
            cw.serve("h100-sxm", "llama3.1-8b", dataset="mlperf-llama3.1-8b", capacity=True)
        with self.assertRaisesRegex(cw.UserError, "target_rate must be positive"):
            cw.serve("h100-sxm", "llama3.1-70b", **(args | {"target_rate": float("nan")}))

    def test_serve_and_mlperf(self):
        with tempfile.TemporaryDirectory() as d:
            trace = os.path.join(d, "trace.csv")
            with open(trace, "w") as f:
                f.write("input_length,output_length\n" +
                        "".join(f"{100 + 37 * i},{20 + 11 * i}\n" for i in range(24)))
            self.assertEqual(
                cw.serve("h100-sxm", "llama3.1-8b", trace=trace, rate=8.0, seed=3,
                         slo_ttft=0.5, max_batch=16),
                cli("serve", "--chip", "h100-sxm", "--model", "llama3.1-8b", "--trace", trace,
                    "--rate", "8", "--seed", "3", "--slo-ttft", "0.5", "--max-batch", "16"))
        self.assertEqual(
            cw.mlperf("h100-sxm", 1, "llama3.1-8b", "offline"),
            cli("mlperf", "--chip", "h100-sxm", "--count", "1", "--benchmark", "llama3.1-8b",
                "--scenario", "offline"))

    def test_explore_and_its_files(self):
        with tempfile.TemporaryDirectory() as d:
            csv, db = os.path.join(d, "designs.csv"), os.path.join(d, "results.db")
            page = os.path.join(d, "report.html")
            doc = cw.explore("sf2-sweep", threads=2, csv=csv, db=db, html=page)
            self.assertEqual(doc, cli("explore", "sf2-sweep", "--threads", "1"))
            self.assertEqual((doc["designs"], doc["feasible"], len(doc["pareto"])), (288, 78, 3))
            with open(csv) as f:
                self.assertEqual(len(f.read().splitlines()), 1 + 288)
            self.assertGreater(os.path.getsize(db), 0)
            parsed = parse_page(page)
            self.assertEqual((parsed.errors, parsed.stack), ([], []))
            # 78 feasible designs and 3 reference chips, plus 3 legend marks.
            self.assertEqual(parsed.counts["circle"], 78 + 3 + 3)
            self.assertEqual(parsed.counts["table"], 3)

    def test_explore_in_shards(self):
        with tempfile.TemporaryDirectory() as d:
            stores = [os.path.join(d, f"shard{k}.db") for k in (1, 2)]
            for k, db in enumerate(stores, 1):
                summary = cw.explore("sf2-sweep", shard=f"{k}/2", db=db)
                self.assertEqual(summary, cli("explore", "sf2-sweep", "--shard", f"{k}/2",
                                              "--db", os.path.join(d, f"cli{k}.db")) | {"db": db})
                self.assertEqual((summary["designs"], summary["of"]), (144, 288))
            self.assertEqual(cw.explore("sf2-sweep", merge=stores, all=True),
                             cw.explore("sf2-sweep", all=True))
            with self.assertRaisesRegex(cw.UserError, "shard 2/2 of .* missing"):
                cw.explore("sf2-sweep", merge=stores[:1])
            with self.assertRaisesRegex(cw.UserError, "give shard or merge, not both"):
                cw.explore("sf2-sweep", shard="1/2", db=stores[0], merge=stores)
            with self.assertRaisesRegex(cw.UserError, "results store \\(--db FILE\\) only"):
                cw.explore("sf2-sweep", shard="1/2")

    def test_compare_and_eval_html(self):
        with tempfile.TemporaryDirectory() as d:
            page = os.path.join(d, "eval.html")
            self.assertEqual(cw.evaluate("h100-sxm", "llama3.1-8b", html=page),
                             cw.evaluate("h100-sxm", "llama3.1-8b"))
            parsed = parse_page(page)
            self.assertEqual((parsed.errors, parsed.stack), ([], []))
            self.assertEqual(parsed.counts["svg"], 2)
            page = os.path.join(d, "compare.html")
            cw.compare(html=page)
            parsed = parse_page(page)
            self.assertEqual((parsed.errors, parsed.stack), ([], []))
            self.assertEqual((parsed.counts["svg"], parsed.counts["rect"], parsed.counts["tr"]),
                             (3, 12, 5))

    def test_validate(self):
        cases = os.path.join(TEST_DIR, "data", "calibration", "published-fa3-2026-12-02.yaml")
        doc = cw.validate(cases)
        expected = cli("validate", cases)
        expected["warnings"] = []
        self.assertEqual(doc, expected)
        self.assertEqual((doc["summary"]["cases"], doc["summary"]["evaluated"]), (2, 2))


class DictsAsFiles(unittest.TestCase):
    """A chip, model or space given as a dict is the same as its file."""

    def preset(self, folder, name):
        with open(os.path.join(cw.data_dir(), folder, name)) as f:
            return yaml.safe_load(f) if name.endswith(".yaml") else json.load(f)

    def test_a_chip_dict_is_its_file(self):
        spec = self.preset("chips", "h100-sxm.yaml")
        spec["id"] = "h100-faster-hbm"
        spec["memory"][-1]["bandwidth"] = "4.8 TB/s"
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "chip.yaml")
            with open(path, "w") as f:
                yaml.safe_dump(spec, f)
            doc = cw.evaluate(spec, "llama3.1-8b", batch=32)
            self.assertEqual(doc, cli("eval", "--chip", path, "--model", "llama3.1-8b",
                                      "--batch", "32"))
        base = cw.evaluate("h100-sxm", "llama3.1-8b", batch=32)
        self.assertEqual(doc["chip"], "h100-faster-hbm")
        self.assertLess(doc["tpot_s"], base["tpot_s"])  # more bandwidth is never slower
        self.assertEqual(cw.op_gemm(spec, 4096, 4096, 4096)["chip"], "h100-faster-hbm")
        self.assertEqual([r["chip"] for r in cw.compare([spec, "h100-sxm"], model="llama3.1-8b",
                                                         tp=1, batch=8)["chips"]],
                         ["h100-faster-hbm", "h100-sxm"])

    def test_model_and_space_dicts(self):
        config = self.preset("models", "llama3.1-8b.json")
        config["_name_or_path"] = "meta-llama/my-8b"
        config["num_hidden_layers"] = 16
        shown = cw.show_model(config)
        self.assertEqual(shown["id"], "my-8b")
        self.assertEqual(shown["layers"], 16)
        space = self.preset("spaces", "sf2-sweep.yaml")
        space["knobs"] = {"cores": [96, 128], "batch": [64, 128]}
        doc = cw.explore(space, threads=1)
        self.assertEqual(doc["designs"], 4)

    def test_trace_rows_are_the_trace_file(self):
        rows = [(100 + 37 * i, 20 + 11 * i, 0.1 * i) for i in range(16)]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "trace.csv")
            with open(path, "w") as f:
                f.write("input_length,output_length,arrival_s\n" +
                        "".join(f"{a},{b},{t!r}\n" for a, b, t in rows))
            from_rows = cw.serve("h100-sxm", "llama3.1-8b", trace=rows)
            from_file = cw.serve("h100-sxm", "llama3.1-8b", trace=path)
            self.assertTrue(from_rows.pop("workload").endswith("/trace.csv"))
            self.assertEqual(from_file.pop("workload"), path)
            self.assertEqual(from_rows, from_file)
        doc = cw.serve("h100-sxm", "llama3.1-8b", trace=[(r[0], r[1]) for r in rows], offline=True)
        self.assertEqual((doc["requests"], doc["output_tokens"]), (16, sum(r[1] for r in rows)))
        with self.assertRaises(TypeError):
            cw.serve("h100-sxm", "llama3.1-8b", trace=[(1, 2), (1, 2, 3)], offline=True)

    def test_a_bad_dict_names_its_key(self):
        spec = self.preset("chips", "h100-sxm.yaml")
        spec["memroy"] = spec.pop("memory")
        with self.assertRaises(cw.UserError) as caught:
            cw.show_chip(spec)
        self.assertIn("did you mean 'memory'", str(caught.exception))
        with self.assertRaises(TypeError):
            cw.show_chip(42)


class Errors(unittest.TestCase):
    def assert_user_error(self, fragment, fn, *args, **kwargs):
        with self.assertRaises(cw.UserError) as caught:
            fn(*args, **kwargs)
        self.assertIn(fragment, str(caught.exception))

    def test_user_error_is_a_value_error(self):
        self.assertTrue(issubclass(cw.UserError, ValueError))

    def test_messages_name_the_mistake_and_a_fix(self):
        self.assert_user_error("unknown chip 'h10-sxm': did you mean 'h100-sxm'?", cw.evaluate,
                               "h10-sxm", "llama3.1-8b")
        self.assert_user_error("69.7 GB short", cw.evaluate, "h100-sxm", "llama3.1-70b",
                               precision="bf16")
        self.assert_user_error("Plans that fit: --tp 1 --pp 2, --tp 2 --pp 1", cw.evaluate, "h100-sxm",
                               "llama3.1-70b", precision="bf16")
        self.assert_user_error("batch must be at least 1, got 0", cw.evaluate, "h100-sxm",
                               "llama3.1-8b", batch=0)
        self.assert_user_error("tp: expected a whole number of chips or 'auto', got 2.5",
                               cw.evaluate, "h100-sxm", "llama3.1-8b", tp=2.5)
        self.assert_user_error("--dtype: unknown dtype 'fp7'", cw.op_gemm, "h100-sxm", 1, 1, 1,
                               dtype="fp7")
        self.assert_user_error("m must be at least 1, got -4", cw.op_gemm, "h100-sxm", -4, 8, 8)
        self.assert_user_error("give --rate QPS or --offline", cw.serve, "h100-sxm",
                               "llama3.1-8b", dataset="mlperf-llama3.1-8b")
        self.assert_user_error("threads must be 0", cw.explore, "sf2-sweep", threads=-1)
        for bad in ({"rate": float("nan")}, {"rate": -2.0}):
            self.assert_user_error("rate must be positive", cw.serve, "h100-sxm", "llama3.1-8b",
                                   dataset="mlperf-llama3.1-8b", **bad)
        self.assert_user_error("burstiness must be positive, got nan", cw.serve, "h100-sxm",
                               "llama3.1-8b", dataset="mlperf-llama3.1-8b", rate=2.0,
                               burstiness=float("nan"))
        self.assert_user_error("slo_ttft must be positive, got -1", cw.serve, "h100-sxm",
                               "llama3.1-8b", dataset="mlperf-llama3.1-8b", rate=2.0,
                               slo_ttft=-1.0)
        self.assert_user_error("--speculative needs --acceptance", cw.evaluate, "h100-sxm",
                               "llama3.1-8b", speculative=2)
        self.assert_user_error("vocabulary", cw.evaluate, "h100-sxm", "llama3.1-8b",
                               speculative=2, acceptance=0.8, draft="llama2-7b")
        self.assert_user_error("give a trace or a dataset, not both", cw.serve, "h100-sxm",
                               "llama3.1-8b", trace="t.csv", dataset="mlperf-llama3.1-8b",
                               offline=True)

    def test_a_bad_chip_file_names_file_line_and_key(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "chip.yaml")
            with open(os.path.join(cw.data_dir(), "chips", "h100-sxm.yaml")) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace("memory:", "memroy:", 1))
            with self.assertRaises(cw.UserError) as caught:
                cw.show_chip(path)
            message = str(caught.exception)
            self.assertIn(path + ":", message)
            self.assertIn("memroy", message)
            self.assertIn("did you mean 'memory'", message)

    def test_a_failed_explore_leaves_no_file(self):
        with tempfile.TemporaryDirectory() as d:
            csv = os.path.join(d, "designs.csv")
            with self.assertRaises(cw.UserError):
                cw.explore(os.path.join(d, "missing.yaml"), csv=csv)
            self.assertFalse(os.path.exists(csv))


class Threads(unittest.TestCase):
    def test_concurrent_calls_match_serial_ones(self):
        runs = [("h100-sxm", "llama3.1-8b"), ("b200", "llama3.1-8b"), ("mi300x", "llama3.1-70b"),
                ("sf2-inference", "llama3.1-70b"), ("h200-sxm", "mixtral-8x7b")] * 2
        serial = [cw.evaluate(chip, model, tp="auto", batch=24) for chip, model in runs]
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            parallel = list(pool.map(lambda r: cw.evaluate(r[0], r[1], tp="auto", batch=24),
                                     runs))
        self.assertEqual(parallel, serial)


if __name__ == "__main__":
    unittest.main()
