from tidings.cli import app

if __name__ == "__main__":  # worker processes (Dask, multiprocessing) import this module without running it
    app(prog_name="tidings")
