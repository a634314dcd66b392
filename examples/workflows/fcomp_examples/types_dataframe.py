"""Data frames: a pandas DataFrame and an annotated StructuredDataset passed between
tasks and returned (parquet)."""

from typing import Annotated

import pandas as pd
from flytekit import kwtypes, task, workflow
from flytekit.types.structured import StructuredDataset

Sales = Annotated[StructuredDataset, kwtypes(item=str, qty=int, price=float)]


@task
def make_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item": [f"item{i}" for i in range(n)],
            "qty": [i + 1 for i in range(n)],
            "price": [round(1.5 * (i + 1), 2) for i in range(n)],
        }
    )


@task
def to_dataset(df: pd.DataFrame) -> Sales:
    return StructuredDataset(dataframe=df)


@task
def revenue(ds: Sales) -> float:
    df = ds.open(pd.DataFrame).all()
    return float((df["qty"] * df["price"]).sum())


@task
def top_items(df: pd.DataFrame, k: int) -> pd.DataFrame:
    out = df.assign(total=df["qty"] * df["price"]).sort_values("total", ascending=False)
    return out.head(k).reset_index(drop=True)


@workflow
def dataframe_wf(n: int = 4, k: int = 2) -> tuple[pd.DataFrame, Sales, float]:
    df = make_frame(n=n)
    ds = to_dataset(df=df)
    return top_items(df=df, k=k), ds, revenue(ds=ds)
